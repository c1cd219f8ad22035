
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.ngram_intent_ensemble import NgramIntentEnsemble

TRAINING = {
    "track_order": ["快递 到 哪 了", "我 的 包裹 呢", "物流 咋 不动 了", "查 下 快递"],
    "ask_invoice": ["能 开 发票 吗", "发票 怎么 开", "要 专票", "开 个 发票 呗"],
}


def message(text, intent=None, diet_ranking=None):
    tokens, position = [], 0
    for word in text.split(" "):
        tokens.append(Token(word, position))
        position += len(word) + 1
    data = {TEXT: text.replace(" ", ""), TOKENS_NAMES[TEXT]: tokens}
    if intent:
        data[INTENT] = intent
    if diet_ranking:
        data[INTENT_RANKING_KEY] = [{"name": n, "confidence": c} for n, c in diet_ranking.items()]
        data[INTENT] = data[INTENT_RANKING_KEY][0]
    return Message(data=data)


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def trained(storage, weight):
    resource = Resource("ensemble")
    context = ExecutionContext(graph_schema=None, model_id="m")
    component = NgramIntentEnsemble.create({"ngram_weight": weight}, storage, resource, context)
    data = TrainingData([message(t, intent) for intent, texts in TRAINING.items() for t in texts])
    component.train(data)
    return component, resource, context


def test_weight_zero_keeps_diets_ranking(storage):
    component, _, _ = trained(storage, 0.0)
    [result] = component.process([message("快递 到 哪", diet_ranking={"ask_invoice": 0.9, "track_order": 0.1})])
    assert result.get(INTENT)["name"] == "ask_invoice"
    assert result.get(INTENT)["confidence"] == pytest.approx(0.9)


def test_ngram_evidence_can_overrule_a_hesitant_diet(storage):
    component, _, _ = trained(storage, 0.5)
    [result] = component.process([message("快递 到 哪", diet_ranking={"ask_invoice": 0.55, "track_order": 0.45})])
    assert result.get(INTENT)["name"] == "track_order"
    ranking = result.get(INTENT_RANKING_KEY)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_model_survives_persisting_and_loading(storage):
    component, resource, context = trained(storage, 1.0)
    loaded = NgramIntentEnsemble.load({"ngram_weight": 1.0}, storage, resource, context)
    [before] = component.process([message("开 发票", diet_ranking={"track_order": 1.0})])
    [after] = loaded.process([message("开 发票", diet_ranking={"track_order": 1.0})])
    assert after.get(INTENT) == before.get(INTENT)
    assert after.get(INTENT)["name"] == "ask_invoice"
