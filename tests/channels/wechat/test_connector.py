"""What the two channels share, without a server: learning a binding only from what the action server set
in this very turn."""

from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

from kefu.channels.wechat.connector import _proved_this_turn
from kefu.names import VERIFIED_CUSTOMER_SLOT


def test_a_binding_is_learned_only_from_a_proof_made_in_this_turn():
    proved_now = [UserUttered("0001"), ActionExecuted("order_verification_form"), SlotSet(VERIFIED_CUSTOMER_SLOT, "C0001")]
    assert _proved_this_turn(proved_now) == "C0001"
    proved_before = [SlotSet(VERIFIED_CUSTOMER_SLOT, "C0001"), UserUttered("解绑"), ActionExecuted("action_listen")]
    assert _proved_this_turn(proved_before) is None  # an unbound user is not bound again by an old slot
    assert _proved_this_turn([UserUttered("hi"), SlotSet(VERIFIED_CUSTOMER_SLOT, None)]) is None
