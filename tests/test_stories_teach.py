"""A story added to the dialogue data changes what the assistant does.

The assistant as `make train` trained it from the project's data is compared
with a dialogue (core-only) model trained, as a trainer's retraining does, from
the project's domain, config and data/rules + data/stories with one more story.
The story's model trains while the project's loads (about a minute on 2 cores).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

PROJECT = Path(__file__).resolve().parents[1]
DIALOGUE_DATA = ("rules", "stories")
RASA = str(Path(sys.executable).parent / "rasa")

# When the handoff service fails, action_handoff_to_human apologises and sets
# no handoff_status: no rule says what comes next, and the stories say the
# bot waits for the shopper. This story teaches it to take a complaint down.
TAUGHT_STORY = """\
version: "3.1"
stories:
  - story: 投诉时转人工出错，请顾客留言
    steps:
      - intent: complain
      - action: utter_complain
      - action: action_handoff_to_human
      - action: leave_message_form
      - active_loop: leave_message_form
"""


def start_training(workdir: Path, name: str, extra_story: Optional[str] = None) -> subprocess.Popen:
    """`rasa train core` on a copy of the dialogue data (plus the extra story) -> workdir/<name>.tar.gz."""
    data = workdir / f"{name}-data"
    for part in DIALOGUE_DATA:
        if (PROJECT / "data" / part).is_dir():
            shutil.copytree(PROJECT / "data" / part, data / part)
    if extra_story:
        (data / "stories").mkdir(parents=True, exist_ok=True)
        (data / "stories" / "taught.yml").write_text(extra_story, encoding="utf-8")
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])),
        # A cache of its own: the model is really trained, the project's cache is left alone.
        "RASA_CACHE_DIRECTORY": str(workdir / f"{name}-cache"),
    }
    command = [
        RASA, "train", "core", "--domain", "domain.yml", "--config", "config.yml",
        "--stories", str(data), "--out", str(workdir), "--fixed-model-name", name,
    ]
    with open(workdir / f"{name}.log", "w") as log:
        return subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def agents(trained_model, tmp_path_factory):
    """(without the story: the project's model; with it: trained here), once for the module."""
    from rasa.core.agent import Agent

    workdir = tmp_path_factory.mktemp("teach")
    training = start_training(workdir, "with-story", TAUGHT_STORY)
    try:
        without_story = Agent.load(str(trained_model))  # meanwhile
        assert training.wait(timeout=600) == 0, (workdir / "with-story.log").read_text()[-3000:]
    finally:
        if training.poll() is None:
            training.kill()
            training.wait()
    return without_story, Agent.load(str(workdir / "with-story.tar.gz"))


def conversation(agent, intent: str, *bot_actions: str, slots: Optional[Dict[str, str]] = None):
    """A live conversation's tracker: the session start, one message, the bot's actions since."""
    events = [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("…", intent={"name": intent, "confidence": 1.0}),
        *[ActionExecuted(action) for action in bot_actions],
        *[SlotSet(slot, value) for slot, value in (slots or {}).items()],
    ]
    return DialogueStateTracker.from_events("shopper", events, agent.domain.slots)


def next_action(agent, tracker) -> str:
    prediction = agent.processor.predict_next_with_tracker(tracker)
    return max(prediction["scores"], key=lambda score: score["score"])["action"]


def complaint_not_handed_over(agent):
    return conversation(agent, "complain", "utter_complain", "action_handoff_to_human")


def test_a_new_story_teaches_the_assistant_a_path_it_did_not_take(agents):
    without_story, with_story = agents

    assert next_action(without_story, complaint_not_handed_over(without_story)) != "leave_message_form"
    assert next_action(with_story, complaint_not_handed_over(with_story)) == "leave_message_form"


@pytest.mark.parametrize(
    "intent, bot_actions, slots, expected",
    [
        # The rules: a queued case pauses the bot, no agent online takes a message.
        ("complain", ("utter_complain", "action_handoff_to_human"), {"handoff_status": "queued"}, ACTION_LISTEN_NAME),
        ("complain", ("utter_complain", "action_handoff_to_human"), {"handoff_status": "ticket"}, "leave_message_form"),
        # The stories: a failed handoff the shopper asked for waits for them.
        ("request_human", ("action_handoff_to_human",), None, ACTION_LISTEN_NAME),
    ],
)
def test_the_new_story_leaves_the_other_paths_as_they_were(agents, intent, bot_actions, slots, expected):
    for agent in agents:
        assert next_action(agent, conversation(agent, intent, *bot_actions, slots=slots)) == expected
