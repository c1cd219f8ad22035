"""Rasa's responses in the merchant's persona (kefu/nlg.py), without a server."""

import asyncio
import unicodedata

import pytest
import yaml
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from kefu.chat import send
from kefu.nlg import PersonaNaturalLanguageGenerator
from kefu.replies import identify, using_persona
from kefu.replies.persona import Persona
from kefu.settings import PROJECT_ROOT
from tests.conftest import assistant_on
from tests.demo_shop.support import seeded_sqlite
from tests.logged_in import logged_in

FORMAL = Persona(style="formal")


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def generate(nlg, action, domain, slots=None):
    tracker = DialogueStateTracker("shopper", domain.slots)
    for name, value in (slots or {}).items():
        tracker.slots[name].value = value
    return asyncio.run(nlg.generate(action, tracker, "rest", domain_responses=domain.responses))


def every_greeting(nlg, domain):
    # Rasa picks a variation at random; enough draws see all of them.
    return {generate(nlg, "utter_greet", domain)["text"] for _ in range(60)}


def test_endpoints_yml_names_this_generator():
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["nlg"] == {"type": "kefu.nlg.PersonaNaturalLanguageGenerator"}


def test_rasa_builds_it_from_the_endpoint_configuration(domain):
    # The way rasa.core.agent builds it from endpoints.yml (the constructor's arguments must fit).
    with using_persona(FORMAL):
        nlg = NaturalLanguageGenerator.create(EndpointConfig(type="kefu.nlg.PersonaNaturalLanguageGenerator"), domain)
    assert isinstance(nlg, PersonaNaturalLanguageGenerator)
    assert nlg.persona is FORMAL


def test_a_formal_greeting_from_the_real_domain(domain):
    nlg = PersonaNaturalLanguageGenerator(domain=domain, persona=FORMAL)
    greetings = every_greeting(nlg, domain)
    written = [variation["text"] for variation in domain.responses["utter_greet"]]
    assert greetings == {FORMAL.text(text) for text in written}
    for greeting in greetings:
        assert greeting and "亲" not in greeting and "～" not in greeting
        assert not [ch for ch in greeting if unicodedata.category(ch) == "So"]


def test_warm_leaves_the_domain_as_written(domain):
    nlg = PersonaNaturalLanguageGenerator(domain=domain, persona=Persona())
    assert every_greeting(nlg, domain) == {variation["text"] for variation in domain.responses["utter_greet"]}


def test_the_bot_name_of_the_persona(domain):
    nlg = PersonaNaturalLanguageGenerator(domain=domain, persona=Persona(bot_name="小橙"))
    greetings = every_greeting(nlg, domain)
    assert any("小橙" in greeting for greeting in greetings)
    assert not any("小蜜蜂" in greeting for greeting in greetings)


def test_an_override_in_the_merchants_words(domain):
    merchant = Persona(style="formal", overrides={"utter_greet": ("亲，欢迎光临橙子旗舰店～有事找我哦😊",)})
    nlg = PersonaNaturalLanguageGenerator(domain=domain, persona=merchant)
    assert every_greeting(nlg, domain) == {"欢迎光临橙子旗舰店，有事找我。"}
    # Responses that are not overridden keep their own wording, in the style.
    goodbye = generate(nlg, "utter_goodbye", domain)["text"]
    assert goodbye in {FORMAL.text(variation["text"]) for variation in domain.responses["utter_goodbye"]}


def test_the_model_loaded_later_is_styled_too(domain):
    # rasa.core.agent creates the generator with an empty domain and assigns
    # the loaded model's responses afterwards.
    nlg = PersonaNaturalLanguageGenerator(persona=FORMAL)
    assert generate(nlg, "utter_greet", domain) is None
    nlg.responses = domain.responses
    assert generate(nlg, "utter_greet", domain)["text"] in {
        FORMAL.text(variation["text"]) for variation in domain.responses["utter_greet"]
    }


def test_slots_are_filled_in_after_the_style_and_buttons_keep_their_payloads():
    domain = Domain.from_dict(
        {
            "slots": {"order_id": {"type": "text", "mappings": [{"type": "custom"}]}},
            "responses": {
                "utter_order": [
                    {
                        "text": "亲，订单 {order_id} 查到啦～",
                        "buttons": [{"title": "转人工哦😊", "payload": "/request_human"}],
                    }
                ]
            },
        }
    )
    nlg = PersonaNaturalLanguageGenerator(domain=domain, persona=FORMAL)
    # A value the shop wrote is never restyled, whatever it contains.
    reply = generate(nlg, "utter_order", domain, {"order_id": "2024111100001 亲～"})
    assert reply["text"] == "订单 2024111100001 亲～ 查到了。"
    assert reply["buttons"] == [{"title": "转人工", "payload": "/request_human"}]
    assert domain.responses["utter_order"][0]["text"] == "亲，订单 {order_id} 查到啦～", "the domain itself is untouched"


# --- live: both servers started with a formal persona file ------------------------------

LIVE_RASA_PORT, LIVE_ACTION_PORT = 5130, 5180


def test_a_formal_persona_file_reaches_rasa_and_the_action_server(trained_model, tmp_path):
    persona_file = tmp_path / "persona.yml"
    persona_file.write_text("bot_name: 小橙\nstyle: formal\n", encoding="utf-8")
    shop = seeded_sqlite(tmp_path / "shop.db")
    environment = {"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url), "PERSONA_FILE": str(persona_file)}
    chosen = Persona(bot_name="小橙", style="formal")
    with assistant_on(tmp_path, trained_model, LIVE_RASA_PORT, LIVE_ACTION_PORT, environment) as assistant:
        greeting = send(assistant.rasa_url, "formal-greeted", "你好")
        order = send(assistant.rasa_url, "formal-order", "帮我查下订单2024111100002到哪了", metadata=logged_in("C0001"))
    # Rasa's response (NLG) ...
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert [r["text"] for r in greeting] in [[chosen.text(v["text"])] for v in domain["responses"]["utter_greet"]]
    # ... and the action server's reply, both in the persona of the file.
    with using_persona(chosen):
        assert identify(order[0]["text"]) == "order_summary"
    assert "2024111100002" in order[0]["text"]
    assert all("亲" not in r["text"] and "～" not in r["text"] for r in greeting + order)
