"""Upstream ids to shadow ids, learned from each pair of answers and applied to later calls.

The portal and the shadow mock number their objects differently (objectIds, vids, list ids...). After each
call both answers are walked in parallel and every id-like value the portal returned is paired with the
shadow's; later calls that name a portal id (in the path, the query or the body) reach the shadow with its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from .fields import JSON, align, is_id_key, is_id_shaped

# Outside id-like keys a value is rewritten only when it is a known id this long: short numbers (limits, counts)
# would collide with small ids, long ones never do.
LONG_ID_DIGITS = 6


@dataclass
class IdMap:
    to_shadow: dict[str, str] = field(default_factory=dict)
    # Upstream ids seen in answers, also those the shadow happened to number the same way.
    known: set[str] = field(default_factory=set)
    # Ids in the current request that no answer has paired: the shadow gets them unchanged (see `rewrite`).
    unmapped: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ learning
    def learn(self, upstream: JSON, shadow: JSON, key: str = "") -> None:
        """Pair the ids found at the same place in both answers."""
        if isinstance(upstream, dict) and isinstance(shadow, dict):
            for name in upstream.keys() & shadow.keys():
                self.learn(upstream[name], shadow[name], name)
        elif isinstance(upstream, list) and isinstance(shadow, list):
            for a, b in align(upstream, shadow):
                self.learn(a, b, key)
        elif key and is_id_key(key) and is_id_shaped(upstream) and is_id_shaped(shadow):
            theirs, ours = str(upstream), str(shadow)
            self.known.add(theirs)
            if theirs != ours:
                self.to_shadow.setdefault(theirs, ours)  # an object keeps its id: the first pairing stands

    def __len__(self) -> int:
        return len(self.to_shadow)

    # ------------------------------------------------------------------ rewriting
    def rewrite(
        self, raw_path: str, query: list[tuple[str, str]], body: JSON
    ) -> tuple[str, list[tuple[str, str]], JSON, list[str]]:
        """One call for the shadow, and the ids it names that no answer has paired yet."""
        self.unmapped = []
        return self.path(raw_path), self.query(query), self.body(body), self.unmapped

    def path(self, raw_path: str) -> str:
        """Rewrite each segment that is a known upstream id (segments are compared decoded)."""
        out = []
        for segment in raw_path.split("/"):
            decoded = unquote(segment)
            if decoded in self.to_shadow:
                segment = quote(self.to_shadow[decoded], safe="")
            elif decoded.isdigit():
                self._note_unmapped(decoded)
            out.append(segment)
        return "/".join(out)

    def query(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, str(self._scalar(value, name))) for name, value in pairs]

    def body(self, value: JSON, key: str = "") -> JSON:
        if isinstance(value, dict):
            return {name: self.body(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [self.body(item, key) for item in value]  # items of `vids: [...]` are ids too
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return self._scalar(value, key)
        return value

    def _scalar(self, value: str | int, key: str) -> str | int:
        if not is_id_shaped(value):
            return value
        text = str(value)
        mapped = self.to_shadow.get(text)
        if mapped is None:
            if key and is_id_key(key):
                self._note_unmapped(text)
            return value
        if not (is_id_key(key) or len(text) >= LONG_ID_DIGITS):
            return value
        return int(mapped) if isinstance(value, int) and mapped.isdigit() else mapped

    def _note_unmapped(self, text: str) -> None:
        if text not in self.known and text not in self.unmapped:
            self.unmapped.append(text)
