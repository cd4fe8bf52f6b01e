"""The role × action matrix and the decision: may this principal do this here?

The matrix is data (:data:`MATRIX`): for each :class:`Action`, the relations any one of which
allows it. Two rules sit on top of it:

* nobody who is not signed in may do anything (the sign-in mode decides who is);
* four eyes: whoever submitted a proposed product cannot approve or send it back, whatever
  else they are (ISO 27001 A.5.3 segregation of duties; the submitter is the actor of the
  product's last ``product.proposed``/``product.registered`` audit record).

A small policy module was chosen over a general authorization library (casbin): the rules
depend on relations computed from the manifests and the grants at the moment of the request
(team membership with a role, an unexpired grant on one output port, the submitter), which
casbin would need as the same Python code wrapped in its matchers; the whole matrix here is
one table, printed by :func:`matrix_rows` and tested cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.access.actions import Action, Relation

_TEAM = frozenset({Relation.PRODUCT_OWNER, Relation.PRODUCT_STEWARD, Relation.PRODUCT_MEMBER,
                   Relation.DOMAIN_OWNER, Relation.DOMAIN_STEWARD, Relation.DOMAIN_MEMBER})
_OWNERS = frozenset({Relation.PRODUCT_OWNER, Relation.PRODUCT_STEWARD, Relation.DOMAIN_OWNER,
                     Relation.DOMAIN_STEWARD})

MATRIX: dict[Action, frozenset[Relation]] = {
    Action.VIEW: frozenset({Relation.SIGNED_IN}),
    Action.REQUEST_ACCESS: frozenset({Relation.SIGNED_IN}),
    Action.READ_DATA: _TEAM | {Relation.ADMIN, Relation.GRANTEE, Relation.OPEN_PORT},
    Action.SEE_SENSITIVE: _TEAM | {Relation.ADMIN},
    Action.RUN_CHECKS: _TEAM | {Relation.ADMIN},
    Action.REGISTER: frozenset({Relation.DOMAIN_OWNER, Relation.DOMAIN_STEWARD,
                                Relation.DOMAIN_MEMBER, Relation.ADMIN}),
    Action.PUBLISH_VERSION: _TEAM | {Relation.ADMIN},
    Action.APPROVE: frozenset({Relation.DOMAIN_OWNER, Relation.DOMAIN_STEWARD, Relation.ADMIN}),
    Action.DECIDE_ACCESS: _OWNERS | {Relation.ADMIN},
    Action.READ_AUDIT: frozenset({Relation.ADMIN}),
    Action.COPY_STORE: frozenset({Relation.ADMIN}),
}
"""Action → the relations that allow it. ``SEE_SENSITIVE`` is about whole products; a grant
that names sensitive columns opens just those (see :mod:`catalog.access.masking`)."""

_WHO = {
    Action.READ_DATA: "the product's team, its domain's team, a governance admin, or someone "
                      "with an approved access request",
    Action.SEE_SENSITIVE: "the product's or its domain's team, a governance admin, or someone "
                          "whose access grant names those columns",
    Action.RUN_CHECKS: "the product's or its domain's team, or a governance admin",
    Action.REGISTER: "a member of the domain's team or a governance admin",
    Action.PUBLISH_VERSION: "the product's or its domain's team, or a governance admin",
    Action.APPROVE: "an owner or data steward of the product's domain, or a governance admin",
    Action.DECIDE_ACCESS: "an owner or data steward of the product or its domain, or a "
                          "governance admin",
    Action.READ_AUDIT: "a governance admin",
    Action.COPY_STORE: "a governance admin",
}


@dataclass(frozen=True)
class Decision:
    """The answer of the authorization point.

    Attributes:
        allowed: whether the action may go ahead.
        reason: why not (a sentence a user can act on), ``""`` when allowed.
        relations: what the principal is to the resource (shown as "Your role here").
    """

    allowed: bool
    reason: str
    relations: frozenset[Relation]


def decide(action: Action, relations: frozenset[Relation], *, what: str = "this") -> Decision:
    """Decide ``action`` for a principal who has ``relations`` to the resource.

    Args:
        action: what is asked.
        relations: from :func:`catalog.access.roles.relations`.
        what: how the reason names the resource ("operations.flights", "the weather domain").

    Returns:
        The decision, with a reason naming who may do it when refused.
    """
    if Relation.SIGNED_IN not in relations:
        return Decision(False, "Sign in first: the portal serves signed-in people only.",
                        relations)
    if action is Action.APPROVE and Relation.SUBMITTER in relations:
        return Decision(False, f"You submitted {what}, so someone else must approve it or send "
                               "it back (four eyes).", relations)
    if relations & MATRIX[action]:
        return Decision(True, "", relations)
    who = _WHO.get(action, "someone else")
    return Decision(False, f"Only {who} may {action.value} on {what}.", relations)


def matrix_rows() -> list[tuple[str, list[str]]]:
    """The matrix as (action, relations allowing it) rows, for documentation and notes."""
    return [(action.value, sorted(r.value for r in MATRIX[action])) for action in Action]
