"""Walking ``parent`` chains: one loop-safe walk for every tree of terms.

Regions (country > province > county) and agencies (army > command) point
to a parent. Editors can make a mistake, and data can arrive with a loop
(A inside B inside A): every walk here stops where a chain comes back on
itself instead of running for ever.
"""

from collections.abc import Callable, Hashable
from typing import TypeVar

Node = TypeVar("Node")


def ancestors(
    node: Node,
    parent_of: Callable[[Node], Node | None],
    key: Callable[[Node], Hashable] = lambda node: node,
) -> list[Node]:
    """The parents of ``node``, nearest first, stopping before the chain repeats."""
    chain, seen = [], {key(node)}
    parent = parent_of(node)
    while parent is not None and key(parent) not in seen:
        chain.append(parent)
        seen.add(key(parent))
        parent = parent_of(parent)
    return chain


def loops(
    node: Node,
    parent_of: Callable[[Node], Node | None],
    key: Callable[[Node], Hashable] = lambda node: node,
) -> bool:
    """True when walking up from ``node`` comes back to it."""
    chain = ancestors(node, parent_of, key)
    last = chain[-1] if chain else node
    parent = parent_of(last)
    return parent is not None and key(parent) == key(node)


def descendants(roots: list[Hashable], children_of: Callable[[list], list]) -> list[Hashable]:
    """``roots`` and everything below them, breadth first, each once.

    ``children_of`` takes a list of keys and returns the keys of their
    children (one query per level for a tree in the database).
    """
    found, frontier = list(dict.fromkeys(roots)), list(dict.fromkeys(roots))
    seen = set(found)
    while frontier:
        frontier = [child for child in children_of(frontier) if child not in seen]
        frontier = list(dict.fromkeys(frontier))
        seen.update(frontier)
        found += frontier
    return found
