"""Rasa's responses (domain.yml) in the merchant's persona, configured in endpoints.yml
``nlg:``: the persona rewords the model's responses once, before slots are filled in, so
Rasa's own choice of variation and its slot filling stay as they are (docs/replies.md)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from kefu import replies
from kefu.replies.persona import Persona


class PersonaNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        persona: Optional[Persona] = None,
    ) -> None:
        # Reading the persona here makes a bad persona.yml stop the Rasa
        # server at start-up, with the file and line, instead of at the
        # first reply.
        self.persona = persona if persona is not None else replies.current_persona()
        super().__init__((domain or Domain.empty()).responses)

    @property
    def responses(self) -> Dict[str, List[Dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, responses: Dict[str, List[Dict[str, Any]]]) -> None:
        self._responses = {
            name: self.persona.variations(name, variations) for name, variations in (responses or {}).items()
        }
