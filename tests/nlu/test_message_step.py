from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.message_step import ConfiguredComponent, TextStep


class Shouting(TextStep):
    @staticmethod
    def get_default_config():
        return {"suffix": "!", "times": 1}

    def process_message(self, message):
        message.set("text", message.get("text") + self._config["suffix"] * self._config["times"])


def created(cls, config, tmp_path):
    return cls.create(config, LocalModelStorage(tmp_path), Resource("step"), ExecutionContext(graph_schema=None))


def test_create_fills_in_the_defaults_the_config_leaves_out(tmp_path):
    step = created(Shouting, {"times": 3}, tmp_path)
    assert step.process([Message(data={"text": "在吗"})])[0].get("text") == "在吗!!!"


def test_a_text_step_changes_every_training_example_and_every_message(tmp_path):
    step = created(Shouting, {}, tmp_path)
    training = TrainingData([Message(data={"text": "a", "intent": "greet"}), Message(data={"text": "b"})])
    assert [m.get("text") for m in step.process_training_data(training).training_examples] == ["a!", "b!"]
    assert training.training_examples[0].get("intent") == "greet"


def test_a_configured_component_built_by_hand_has_its_defaults_too():
    class Quiet(ConfiguredComponent):
        @staticmethod
        def get_default_config():
            return {"level": 1}

    assert Quiet()._config == {"level": 1} and Quiet({"level": 2})._config == {"level": 2}
