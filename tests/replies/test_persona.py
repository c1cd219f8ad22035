"""The merchant's reply style (kefu/replies/persona.py) on every reply the shopper can read."""

import re
import unicodedata

import pytest
import yaml

from kefu.replies import (
    configured_persona,
    current_persona,
    identify,
    overridable_responses,
    phrases,
    placeholders,
    render,
    render_with_buttons,
    templates,
    using_persona,
)
from kefu.replies import phrase_text as say
from kefu.replies.persona import DEFAULT_BOT_NAME, Persona, load_persona, placeholders_in
from kefu.settings import PROJECT_ROOT
from kefu.storage.phrases import Joined, Phrase
from kefu.storage.yaml_source import KnowledgeFileError

DOMAIN_RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
FORMAL, CONCISE = Persona(style="formal"), Persona(style="concise")
TONE_MARKERS = "～~〜"


def sample_values(names):
    # Digits in every value, so that "keeps every digit sequence" covers values too.
    return {name: f"V{index}9{index}" for index, name in enumerate(sorted(names))}


def pick(index):
    return lambda variations: variations[index]


def every_reply():
    """(label, warm reply, reply in a persona) for every variation of every reply the shopper reads."""
    for name, variations in sorted(DOMAIN_RESPONSES.items()):
        for index, variation in enumerate(variations):
            values = sample_values(placeholders_in(variation["text"]))
            yield (
                f"domain:{name}:{index}",
                {"text": variation["text"].format(**values), "buttons": variation.get("buttons", [])},
                lambda chosen, variation=variation, values=values, name=name: _formatted(
                    chosen.variations(name, [variation])[0], values
                ),
            )
    for name, variations in sorted(templates().items()):
        values = sample_values(placeholders(name))
        for index, variation in enumerate(variations):
            yield (
                f"template:{name}:{index}",
                {"text": variation["text"].format(**values), "buttons": variation.get("buttons", [])},
                lambda chosen, name=name, index=index, values=values: _in(chosen, render, name, pick(index), values),
            )
    for name, text in sorted(phrases().items()):
        values = sample_values(placeholders_in(text))
        yield (
            f"phrase:{name}",
            {"text": text.format(**values), "buttons": []},
            lambda chosen, name=name, values=values: {"text": _in(chosen, say, name, None, values), "buttons": []},
        )


def _formatted(variation, values):
    return {"text": variation["text"].format(**values), "buttons": variation.get("buttons", [])}


def _in(chosen, function, name, chooser, values):
    with using_persona(chosen):
        return function(name, **values) if chooser is None else function(name, chooser=chooser, **values)


REPLIES = list(every_reply())
LABELS = [label for label, _, _ in REPLIES]


def emoji_in(text):
    return [ch for ch in text if unicodedata.category(ch) == "So" or ch in "\ufe0f\u200d"]


def test_every_kind_of_reply_is_covered():
    sources = {label.split(":")[0] for label in LABELS}
    assert sources == {"domain", "template", "phrase"}
    assert len(REPLIES) > 150


@pytest.mark.parametrize("label, warm, styled", REPLIES, ids=LABELS)
def test_warm_is_the_text_as_written(label, warm, styled):
    assert styled(Persona(style="warm"))["text"] == warm["text"]


@pytest.mark.parametrize("label, warm, styled", REPLIES, ids=LABELS)
@pytest.mark.parametrize("chosen", [FORMAL, CONCISE], ids=["formal", "concise"])
def test_formal_and_concise_drop_the_cute_markers_and_keep_the_facts(label, warm, styled, chosen):
    reply = styled(chosen)
    text = reply["text"]
    assert text.strip() or not warm["text"].strip()
    assert not emoji_in(text)
    assert "亲" not in text
    assert not any(marker in text for marker in TONE_MARKERS)
    assert not re.search(r"[哦呢呀哈啦][，。！？、～]|[哦呢呀哈啦]$", text)
    # Order numbers, prices, counts, values: all there, in the same order.
    assert re.findall(r"\d+", text) == re.findall(r"\d+", warm["text"])
    assert text.count("\n") == warm["text"].count("\n")
    assert [b["payload"] for b in reply.get("buttons", [])] == [b["payload"] for b in warm["buttons"]]
    for button in reply.get("buttons", []):
        assert button["title"] and not emoji_in(button["title"]) and "亲" not in button["title"]


@pytest.mark.parametrize("label, warm, styled", REPLIES, ids=LABELS)
def test_concise_is_formal_without_some_clauses(label, warm, styled):
    formal, concise = styled(FORMAL)["text"], styled(CONCISE)["text"]
    assert len(concise) <= len(formal)
    remaining = iter(formal)
    # Concise only leaves out: its characters are a subsequence of the formal text
    # (a comma may have become the full stop of the dropped clause).
    assert all(any(ch == other or (ch in "。！" and other in "，；") for other in remaining) for ch in concise)


# --- what the rules do, on examples -------------------------------------------------


@pytest.mark.parametrize(
    "warm, formal",
    [
        ("亲，您好呀～我是店铺智能客服小蜜蜂🐝，有什么可以帮您？", "您好，我是店铺智能客服小蜜蜂，有什么可以帮您？"),
        ("亲亲您好，客服在线为您服务～请问遇到什么问题了呢？", "您好，客服在线为您服务，请问遇到什么问题了？"),
        ("亲太客气啦～还有什么需要随时说哦！", "您太客气了，还有什么需要随时说！"),
        ("好的亲，马上为您转接，客服小姐姐很快就来～🙏", "好的，马上为您转接，客服人员很快就来。"),
        ("亲，帮您查到啦📦 订单 {order_id}：{items}，当前状态【{status}】。", "帮您查到了。订单 {order_id}：{items}，当前状态【{status}】。"),
        ("没法再退差价了，抱歉亲", "没法再退差价了，抱歉"),
        ("比如“我的快递到哪了呀”“包邮吗～”～", "比如“我的快递到哪了呀”“包邮吗～”。"),
        ("这款是亲肤面料哦～", "这款是亲肤面料。"),
        ("仓库收到后1～3天原路退款哦～", "仓库收到后1-3天原路退款。"),
        ("{carrier} 运单号 {tracking_number}，最新物流哦：\n{events}", "{carrier} 运单号 {tracking_number}，最新物流：\n{events}"),
        ("⚠️ 注意：{excluded}，这几件不能退哦～", "注意：{excluded}，这几件不能退。"),
        ("；", "；"),
        ("，{why}可选 {alternative}", "，{why}可选 {alternative}"),
    ],
)
def test_formal_rules(warm, formal):
    assert FORMAL.text(warm) == formal


@pytest.mark.parametrize(
    "warm, concise",
    [
        ("亲，{product}的{label}：{value}～还有其他想了解的尽管问哦😊", "{product}的{label}：{value}。"),
        ("好的亲～还有什么需要小蜜蜂帮您的吗？", "好的。"),
        ("包裹已于 {signed_at} 签收啦。如果商品有任何问题，随时告诉小蜜蜂～", "包裹已于 {signed_at} 签收了。"),
        ("好嘞亲，祝您购物愉快，期待下次再为您服务💕", "好的，祝您购物愉快。"),
        ("亲，{province}每单运费{fee}元，暂不参与包邮哦，请您谅解🙏", "{province}每单运费{fee}元，暂不参与包邮。"),
        # A clause with a value or a digit is information, whatever its words.
        ("亲，有货哦～还有{count}件，随时问我哦", "有货，还有{count}件"),
        # The first clause always stays: a reply is never emptied.
        ("还有其他问题随时问我哦～", "还有其他问题随时问我。"),
    ],
)
def test_concise_rules(warm, concise):
    assert CONCISE.text(warm) == concise


def test_button_titles_are_cleaned_but_never_shortened():
    assert CONCISE.title("好的亲，尽管问😊") == "好的，尽管问"
    assert CONCISE.text("好的亲，尽管问😊") == "好的。"


def test_values_are_never_restyled():
    shop_data = {"order_id": "2024111100001", "items": "亲肤呢子大衣～L码😊×1", "status": "已签收啦"}
    for chosen in (FORMAL, CONCISE):
        with using_persona(chosen):
            reply = render("order_summary", **shop_data)
        assert all(value in reply["text"] for value in shop_data.values())


def test_identify_knows_the_replies_of_the_persona_in_use():
    with using_persona(FORMAL):
        text = render("order_eta", eta="12月3日")["text"]
        assert identify(text) == "order_eta"
    assert text == "预计 12月3日 前送达，请保持电话畅通。"


def test_the_engines_phrases_follow_the_persona():
    values = dict(current="59.00", paid="69.00")
    assert say("protection_no_drop", **values).endswith("不需要退差价哦")
    with using_persona(FORMAL):
        assert say("protection_no_drop", **values) == "现在的价格 59.00 元不比您付款时的 69.00 元低，不需要退差价"


def test_phrases_a_service_puts_into_a_reply_follow_the_persona_and_plain_values_do_not():
    answer = Joined((Phrase("protection_no_drop", current="59.00", paid="69.00"), "（亲～哦）"))
    with using_persona(FORMAL):
        reply = render("promotion_stacking", chooser=pick(0), answer=answer)
    assert reply["text"] == "现在的价格 59.00 元不比您付款时的 69.00 元低，不需要退差价（亲～哦），下单时系统会自动按最划算的组合帮您计算"


def test_computed_button_titles_follow_the_persona_too(tmp_path):
    chosen = load(write(tmp_path, "overrides:\n  recommend_button_details: 看看第{index}款～\n"))
    with using_persona(chosen):
        button = {"title": Phrase("recommend_button_details", index=1), "payload": "/x"}
        reply = render_with_buttons("recommend_list_other", [button], products="……")
    assert reply["buttons"][0] == {"title": "看看第1款～", "payload": "/x"}
    assert type(reply["buttons"][0]["title"]) is str


# --- the bot's name ---------------------------------------------------------------------


def test_the_bot_name_replaces_the_default_name_everywhere():
    renamed = Persona(bot_name="小橙")
    assert renamed.text("亲，我是店铺智能客服小蜜蜂🐝，有什么可以帮您？") == "亲，我是店铺智能客服小橙，有什么可以帮您？"
    named = [label for label, warm, _ in REPLIES if DEFAULT_BOT_NAME in warm["text"]]
    assert named, "some replies name the bot"
    for label, warm, styled in REPLIES:
        for chosen in (renamed, Persona(bot_name="小橙", style="formal")):
            text = styled(chosen)["text"]
            assert DEFAULT_BOT_NAME not in text
            assert text.count("小橙") == warm["text"].count(DEFAULT_BOT_NAME), label


# --- persona.yml ----------------------------------------------------------------------------


def write(tmp_path, text):
    path = tmp_path / "persona.yml"
    path.write_text(text, encoding="utf-8")
    return path


def load(path):
    return load_persona(path, overridable_responses())


def test_the_shipped_persona_is_the_warm_小蜜蜂():
    shipped = load(PROJECT_ROOT / "persona.yml")
    assert (shipped.bot_name, shipped.style, dict(shipped.overrides)) == (DEFAULT_BOT_NAME, "warm", {})


def test_the_persona_file_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PERSONA_FILE", str(write(tmp_path, "bot_name: 小橙\nstyle: formal\n")))
    configured_persona.cache_clear()
    try:
        assert (current_persona().bot_name, current_persona().style) == ("小橙", "formal")
        assert render("order_eta", eta="明天")["text"] == "预计 明天 前送达，请保持电话畅通。"
    finally:
        monkeypatch.delenv("PERSONA_FILE")
        configured_persona.cache_clear()
    assert current_persona().style == "warm"


def test_an_empty_file_means_the_defaults(tmp_path):
    assert load(write(tmp_path, "# nothing chosen yet\n")) == Persona()


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("bot_name: 小橙\nstyle: cute\n", 2, "unknown style 'cute' (styles: warm, formal, concise)"),
        ("bot_name: ''\n", 1, "'bot_name' must be a text"),
        ("style: formal\nbot_name:\n", 2, "'bot_name' is empty"),
        ("bot_name: 小{橙}\n", 1, "without braces"),
        ("styel: formal\n", 1, "unknown field 'styel'"),
        ("overrides:\n  utter_gret: 您好\n", 2, "unknown response 'utter_gret'"),
        ("overrides:\n  order_eta:\n    - 预计 {eta} 送达\n    - 预计 {date} 送达\n", 4, "uses {date}, which this reply does not fill in (it has: {eta})"),
        ("overrides:\n  order_eta: 预计 {eta 送达\n", 2, "unbalanced"),
        ("overrides:\n  order_eta: []\n", 2, "must be a text or a list of texts"),
        ("overrides:\n  order_eta:\n    - ''\n", 3, "must be a non-empty text"),
        ("- warm\n", 1, "must be a mapping"),
        ("style: [formal\n", 2, "not valid YAML"),
    ],
)
def test_a_bad_persona_file_is_refused_naming_file_and_line(tmp_path, text, line, reason):
    path = write(tmp_path, text)
    with pytest.raises(KnowledgeFileError) as refused:
        load(path)
    assert f"{path}:{line}: " in str(refused.value)
    assert reason in str(refused.value)


def test_every_problem_of_the_file_is_listed_at_once(tmp_path):
    path = write(tmp_path, "bot_name: ''\nstyle: cute\noverrides:\n  utter_gret: 您好\n")
    with pytest.raises(KnowledgeFileError) as refused:
        load(path)
    assert [problem.line for problem in refused.value.problems] == [1, 2, 4]


def test_a_missing_persona_file_is_an_error(tmp_path):
    with pytest.raises(KnowledgeFileError, match="does not exist"):
        load(tmp_path / "nowhere.yml")


def test_a_persona_file_not_saved_as_utf8_is_an_error(tmp_path):
    path = tmp_path / "persona.yml"
    path.write_bytes("bot_name: 小橙\n".encode("gbk"))
    with pytest.raises(KnowledgeFileError, match="not UTF-8"):
        load(path)


# --- overrides ---------------------------------------------------------------------------------


def test_an_override_replaces_the_wording_and_keeps_the_buttons(tmp_path):
    path = write(
        tmp_path,
        "style: formal\noverrides:\n  verification_locked: 亲，已经连续错了3次啦～请找人工客服哦😊\n",
    )
    chosen = load(path)
    with using_persona(chosen):
        reply = render("verification_locked")
    assert reply["text"] == "已经连续错了3次了，请找人工客服。"
    assert reply["buttons"] == templates()["verification_locked"][0]["buttons"]


def test_an_override_may_give_several_variations_and_fill_in_the_values(tmp_path):
    path = write(tmp_path, "overrides:\n  order_eta:\n    - '{eta} 前到'\n    - '预计 {eta} 送达'\n")
    chosen = load(path)
    with using_persona(chosen):
        texts = {render("order_eta", chooser=pick(i), eta="明天")["text"] for i in (0, 1)}
    assert texts == {"明天 前到", "预计 明天 送达"}


def test_an_unknown_style_cannot_be_built_in_code_either():
    with pytest.raises(ValueError, match="unknown style"):
        Persona(style="cute")


def test_a_persona_in_use_is_given_back_afterwards():
    with using_persona(FORMAL):
        with using_persona(CONCISE):
            assert current_persona() is CONCISE
        assert current_persona() is FORMAL
    assert current_persona() is configured_persona()
