"""Rasa's responses (domain.yml) in the merchant's persona (persona.yml).

Configured in endpoints.yml (``nlg: type: kefu.nlg.PersonaNaturalLanguageGenerator``);
Rasa builds it with ``(endpoint_config=..., domain=...)`` and later assigns the
loaded model's responses to ``responses``. The persona is applied there, once,
to the wording (before slots are filled in), so Rasa's own choice of variation
by channel and condition and its slot filling stay as they are.
"""

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
