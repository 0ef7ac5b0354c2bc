"""The tree that routes every operation of every version (mock_server/routing.py), against the rule it implements
written the slow way: of the templates matching the path, literal segments win over parameters segment by
segment; the first that serves the method answers, else a 405 listing the methods of the first."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match

from mock_server import Settings
from mock_server.routing import OperationTree
from mock_server.spec import document_for, operations
from mock_server.versions import VERSIONS

DOCUMENTS = {name: document_for(Settings(), version) for name, version in VERSIONS.items()}
TEMPLATES = [(op.method, op.path) for document in DOCUMENTS.values() for op in operations(document)]
LITERALS = sorted({s for _, path in TEMPLATES for s in path.strip("/").split("/") if not s.startswith("{")})


def _tree() -> OperationTree:
    tree = OperationTree()
    for method, path in TEMPLATES:
        tree.add(method, path, f"{method} {path}")  # type: ignore[arg-type]  # the endpoint names itself
    return tree


TREE = _tree()


def _route(method: str, path: str) -> tuple[str, object]:
    match, child = TREE.matches({"type": "http", "method": method, "path": path})
    if match is Match.NONE:
        return "404", None
    endpoint = child["mock_server.endpoint"]
    if match is Match.PARTIAL:
        return "405", set(endpoint.split(", "))
    return "200", (endpoint, child["path_params"])


def _reference(method: str, path: str) -> tuple[str, object]:
    segments = path[1:].split("/")
    matching = []
    for order, (template_method, template) in enumerate(TEMPLATES):
        parts = template[1:].split("/")
        if len(parts) == len(segments) and all(
            (bool(got) if want.startswith("{") else want == got) for want, got in zip(parts, segments)
        ):
            shape = tuple(part.startswith("{") for part in parts)  # False (a literal) sorts first
            matching.append((shape, order, template_method, template, parts))
    if not matching:
        return "404", None
    matching.sort()
    wanted = "GET" if method == "HEAD" else method
    for _, _, template_method, template, parts in matching:
        if template_method == wanted:
            params = {p[1:-1]: s for p, s in zip(parts, segments) if p.startswith("{")}
            return "200", (f"{template_method} {template}", params)
    first_shape = matching[0][0]
    allowed = {m for shape, _, m, _, _ in matching if shape == first_shape}
    return "405", allowed | ({"HEAD"} if "GET" in allowed else set())


def _concrete(template: str, values: list[str]) -> str:
    values = iter(values)
    return "/" + "/".join(next(values) if s.startswith("{") else s for s in template.strip("/").split("/"))


segment = st.one_of(st.sampled_from(LITERALS), st.sampled_from(["123", "", "a\nb", "x y", "%2F"]), st.text(max_size=4))


@settings(max_examples=400, deadline=None)
@given(
    template=st.sampled_from([path for _, path in TEMPLATES]),
    values=st.lists(segment, min_size=4, max_size=4),
    swap=st.tuples(st.integers(0, 9), segment),
    tail=st.sampled_from(["", "/", "/x"]),
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
)
def test_the_tree_routes_as_the_rule_says(template, values, swap, tail, method):
    parts = _concrete(template, values).split("/")
    at, replacement = swap
    if at < len(parts) - 1 and at % 3 == 0:  # sometimes a literal segment changes too
        parts[at + 1] = replacement
    path = "/".join(parts) + tail
    assert _route(method, path) == _reference(method, path)


def test_every_template_reaches_its_own_endpoint_with_its_parameters():
    for method, template in TEMPLATES:
        names = [s[1:-1] for s in template.split("/") if s.startswith("{")]
        path = _concrete(template, [f"v{i}" for i in range(len(names))])
        outcome, found = _route(method, path)
        assert outcome == "200" and found[1] == {n: f"v{i}" for i, n in enumerate(names)}, (method, template)
        assert found == _reference(method, path)[1]


def test_list_all_with_a_trailing_slash_and_no_other_path_with_one():
    tree = OperationTree()
    tree.add("GET", "/marketing/v3/marketing-events", "list")  # type: ignore[arg-type]
    tree.add("GET", "/marketing/v3/marketing-events/", "list")  # type: ignore[arg-type]
    tree.add("POST", "/marketing/v3/marketing-events/events/upsert", "upsert")  # type: ignore[arg-type]
    assert tree.matches({"type": "http", "method": "GET", "path": "/marketing/v3/marketing-events/"})[0] is Match.FULL
    assert tree.matches({"type": "http", "method": "POST", "path": "/marketing/v3/marketing-events/events/upsert/"})[0] is Match.NONE


def test_a_template_routed_twice_is_refused():
    tree = OperationTree()
    tree.add("GET", "/a/{x}", "one")  # type: ignore[arg-type]
    try:
        tree.add("GET", "/a/{y}", "two")  # type: ignore[arg-type]
    except ValueError as exc:
        assert "routed twice" in str(exc)
    else:
        raise AssertionError("a second GET /a/{...} was accepted")
