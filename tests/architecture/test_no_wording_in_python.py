"""What a shopper or an agent reads is written in data/responses/ (docs/replies.md), never in the Python
of the packages scanned: a Chinese string there is vocabulary for reading the shopper's messages (or
seed data), kept in one of the module-level tables named below, or it is wording in the wrong place."""

import ast
import re
from pathlib import Path
from typing import Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("kefu/services", "kefu/handoff", "kefu/workspace", "kefu/channels", "actions")

# Han characters, CJK punctuation (、。「」【】) and full-width forms (，：；（）～): "，".join(…)
# and f"（{variant}）" compose wording as much as words do.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

# Module -> its module-level names whose Chinese is read, never written: words, regexes and
# synonym tables matched against the shopper's messages. Add a table here only for that (or for
# seed data, with a comment saying so).
PARSING_VOCABULARY = {
    # Seed data, not wording: the demo agent's account is created with this display name, as an
    # agent added with `python -m kefu.handoff.agents add` is with theirs.
    "kefu/handoff/agents.py": {"DEMO_AGENT_DISPLAY_NAME"},
    # WeChat: a choice picked by its number ("１", "2。"); the binding commands ("绑定 …", "解绑")
    "kefu/channels/wechat/render.py": {"_CHOICE", "_FULL_WIDTH_DIGITS"},
    "kefu/channels/wechat/binding.py": {"_BIND", "_UNBIND"},
    "kefu/handoff/emotion.py": {
        "LEXICON", "_POSITIVE",  # angry words and their weights; thanks and praise
        "_NEGATORS", "_INTENSIFIERS", "_INTENSIFIER_SUFFIXES", "_REPETITION",  # 不差, 太慢, 慢死了, 又
        "_CLAUSE_BREAK", "_EXCLAMATIONS", "_QUESTIONS", "_INTERROBANG",  # full-width punctuation: ！？，
    },
    "kefu/services/address.py": {
        "_SEPARATORS", "_ADDRESS_HINTS", "_LEAD_INS", "_CITY_SUFFIX",  # splitting a typed address
    },
    "kefu/services/after_sales.py": {
        "_ABANDON", "_CORRECTION_TARGETS", "_CORRECTION_CUES", "_ALL_ITEMS",  # giving up, correcting, "都退"
        "PROBLEM_KINDS", "RESOLUTIONS", "ITEM_CONDITIONS",  # the shopper's words for each code
        # The shopper's reason normalised, as a synonym is: the form's buttons send these words.
        "RETURN_REASONS",
    },
    # "我要退货" (wanting it done) against "怎么退货" (asking how)
    "kefu/services/after_sales_wish.py": {"_TASK_VERB", "_OBJECT", "_WANT", "_WISH", "_HYPOTHETICAL", "_NEGATED"},
    "kefu/services/exchange.py": {"_BIGGER", "_SMALLER"},  # "大一码", "小一号"
    # "没收到货 都好几天了", "怎么还没发货", "显示签收了": which of the shopper's orders is meant
    "kefu/services/order_choice.py": {
        "_WAITING_FOR_SHIPPING", "_SIGNED_BUT_MISSING", "_WAITING_FOR_THE_PARCEL", "_OWN_ORDER",
    },
    "kefu/services/product_answers.py": {"ATTRIBUTE_KEYWORDS"},  # which attribute a question is about
    "kefu/services/promotion_answers.py": {
        "_STACKING", "_PROTECTION", "_QUANTITY", "_MULTI_BUY", "_ORDER", "_GENERIC_COUPON", "_COLLOQUIAL_NUMBERS",
        "_COUPON_FAILS", "_PROTECTION_REFUSED",  # "优惠券怎么用不了", "申请价保失败"
    },
    "kefu/services/recommendation.py": {
        # who it is for, what for, which kind of product, which colour (keys are the NLU's values)
        "MYSELF", "_RECIPIENT_WORDS", "_USE_WORDS", "_PRODUCT_WORDS", "COLORS", "_COLOR_ALIASES",
        "_ONE_CHARACTER_COLOR_FOLLOWED_BY", "_NEGATIVE_CUES", "_POSITIVE_CUES", "_NEGATED_AFTER", "_CLAUSES",
        # budgets: "两三百", "500到800", "300以内"
        "_HUNDRED", "_THOUSAND", "_TEN_THOUSAND", "_NUMBER", "_UNIT", "_END", "_RANGE", "_TWO_DIGITS",
        "_AT_MOST_BEFORE", "_AT_MOST_AFTER", "_AT_LEAST", "_ABOUT", "_PRICED",
        # what the shopper does with the list shown: "太贵了", "换一批", "不喜欢"
        "_CHEAPER", "_DEARER", "_OTHER_COLOR", "_CHANGE", "_DISLIKE", "_ORDER_TALK", "_ABANDON",
        "_LETTER_SIZE", "_NUMBER_SIZE", "_SIZE_WORD",  # "M码", "42码", "加大码"
    },
    "kefu/services/references.py": {"_ORDINALS", "_ORDINAL", "_LAST", "_POINTING", "_THE_OTHER"},  # "第二个"
}


def _docstrings(tree: ast.AST) -> Set[int]:
    """ids of the docstring nodes: they are written for developers."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _assigned_names(statement: ast.stmt) -> Set[str]:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    else:
        return set()
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}


def _chinese_strings(statement: ast.stmt, docstrings: Set[int]) -> Iterator[ast.Constant]:
    for node in ast.walk(statement):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                and CHINESE.search(node.value):
            yield node


def _scan(source: str, allowed: Set[str], where: str) -> Tuple[Set[str], List[str]]:
    """(the vocabulary tables found, "where:line: text" for every other Chinese string)."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    tables: Set[str] = set()
    wording: List[str] = []
    for statement in tree.body:
        strings = list(_chinese_strings(statement, docstrings))
        names = _assigned_names(statement)
        if strings and names and names <= allowed:
            tables |= names
            continue
        wording += [f"{where}:{node.lineno}: {node.value!r}" for node in strings]
    return tables, wording


def _scan_module(relative: str) -> Tuple[Set[str], List[str]]:
    source = (ROOT / relative).read_text(encoding="utf-8")
    return _scan(source, PARSING_VOCABULARY.get(relative, set()), relative)


SOURCES = sorted(path.relative_to(ROOT).as_posix() for folder in SCANNED for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("module", SOURCES)
def test_no_chinese_outside_the_parsing_vocabulary(module):
    _, wording = _scan_module(module)
    assert not wording, (
        "Chinese text in Python: put what the shopper or an agent reads in data/responses/ (a phrase or a template, "
        "docs/replies.md); words for reading the shopper's messages go in a table listed in "
        "PARSING_VOCABULARY:\n  " + "\n  ".join(wording)
    )


@pytest.mark.parametrize("module", sorted(PARSING_VOCABULARY))
def test_every_table_allowed_exists_and_holds_chinese(module):
    tables, _ = _scan_module(module)
    assert tables == PARSING_VOCABULARY[module], f"{module}: stale names in PARSING_VOCABULARY"


def test_the_scan_finds_wording_and_passes_docstrings_and_tables():
    source = '"""说明。"""\nWORDS = ("退货",)\n\n\ndef reply(n):\n    """几件。"""\n    return f"等{n}件"\n'
    tables, wording = _scan(source, {"WORDS"}, "sample.py")
    assert tables == {"WORDS"}
    assert wording == ["sample.py:7: '等'", "sample.py:7: '件'"]
    _, wording = _scan(source, set(), "sample.py")
    assert wording[0] == "sample.py:2: '退货'"
