from kefu.services.session_carry_over import carried_over

SLOTS = {"verified_customer_id": "C0001", "order_id": "2024111100002", "product": "T恤", "color": None,
         "after_sales_task": "return", "recommendation_shown": True, "verification_attempts": 1.0}


def test_a_trusted_shopper_keeps_identity_and_order_but_no_half_finished_work():
    assert carried_over(SLOTS, keep_identity=True) == {
        "verified_customer_id": "C0001", "order_id": "2024111100002", "product": "T恤", "verification_attempts": 1.0,
    }


def test_without_trust_the_order_goes_with_the_identity():
    assert carried_over(SLOTS, keep_identity=False) == {"product": "T恤", "verification_attempts": 1.0}
