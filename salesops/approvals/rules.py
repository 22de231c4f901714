"""Rule logic without side effects: conditions (normalise, validate, evaluate), finding the
first matching rule, and turning a chain of relative approvers into people.

Conditions are data: {"field": name, "operator": one of >= > <= < = in, "value": ...}. Values
are stored as strings (numbers as decimal text, lists for `in`) so JSON keeps them exact.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from salesops.approvals.models import ApprovalRule, ApprovalStep, ApproverKind
from salesops.approvals.registry import ConditionField, DocumentType, get_document_type
from salesops.core.models import OrgUnit, User
from salesops.core.roles import Role

OPERATORS = {"≥": ">=", "≤": "<=", "==": "=", ">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "=", "in": "in"}
NUMERIC_OPERATORS = {">=", ">", "<=", "<"}
TRUE_WORDS = {"true", "yes", "1", "y", "是"}
FALSE_WORDS = {"false", "no", "0", "n", "否"}


class ConditionError(ValueError):
    pass


def _number(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ConditionError(value)
    if not number.is_finite():
        raise ConditionError(value)
    return number


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ConditionError(value)


def _list(value) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


# --- validation ---------------------------------------------------------------------------------
def normalise_conditions(conditions: list[dict], doc_type: DocumentType | None) -> tuple[list[dict], list[str]]:
    """Check each condition; returns (clean conditions, problems). Field names are checked
    only when the document type is registered (dormant rules cannot be checked yet)."""
    clean, problems = [], []
    fields = doc_type.condition_fields if doc_type else {}
    for index, condition in enumerate(conditions, start=1):
        if not isinstance(condition, dict):
            problems.append(_("Condition %(n)d is not of the form field, operator, value.") % {"n": index})
            continue
        name = str(condition.get("field", "")).strip()
        operator = OPERATORS.get(str(condition.get("operator", "")).strip())
        value = condition.get("value", "")
        if not name:
            problems.append(_("Condition %(n)d names no field.") % {"n": index})
            continue
        if operator is None:
            problems.append(
                _("Condition %(n)d: unknown operator “%(op)s”; use ≥, >, ≤, <, = or in.")
                % {"n": index, "op": condition.get("operator", "")}
            )
            continue
        spec = fields.get(name)
        if doc_type is not None and spec is None:
            problems.append(
                _("Condition %(n)d: %(type)s has no field “%(field)s”. Fields: %(fields)s.")
                % {"n": index, "type": doc_type.label, "field": name, "fields": ", ".join(fields) or "—"}
            )
            continue
        kind = spec.kind if spec else ("number" if operator in NUMERIC_OPERATORS else "text")
        try:
            value = _clean_value(kind, operator, value, spec)
        except ConditionError:
            problems.append(
                _("Condition %(n)d: “%(value)s” cannot be compared with %(field)s (%(kind)s).")
                % {"n": index, "value": condition.get("value", ""), "field": name, "kind": _kind_label(kind)}
            )
            continue
        clean.append({"field": name, "operator": operator, "value": value})
    if not problems:
        problems.extend(contradictions(clean))
    return clean, problems


def _kind_label(kind: str) -> str:
    return {"number": _("a number"), "bool": _("yes or no"), "choice": _("one of a list"), "text": _("text")}.get(
        kind, kind
    )


def _clean_value(kind: str, operator: str, value, spec: ConditionField | None):
    if kind == "number":
        if operator == "in":
            return [str(_number(item)) for item in _list(value)] or _raise(value)
        return str(_number(value))
    if operator in NUMERIC_OPERATORS:
        raise ConditionError(value)
    if kind == "bool":
        if operator == "in":
            raise ConditionError(value)
        return _bool(value)
    items = _list(value) if operator == "in" else [str(value).strip()]
    if not items or not items[0]:
        raise ConditionError(value)
    if kind == "choice" and spec and spec.choices and any(item not in spec.choices for item in items):
        raise ConditionError(value)
    return items if operator == "in" else items[0]


def _raise(value):
    raise ConditionError(value)


def contradictions(conditions: list[dict]) -> list[str]:
    """Problems that make a set of conditions impossible to satisfy together."""
    problems = []
    by_field: dict[str, list[dict]] = {}
    for condition in conditions:
        by_field.setdefault(condition["field"], []).append(condition)
    for name, items in by_field.items():
        low, low_strict, high, high_strict = None, False, None, False
        allowed: set[str] | None = None
        for item in items:
            op, value = item["operator"], item["value"]
            if op in NUMERIC_OPERATORS:
                number = Decimal(value)
                if op in {">=", ">"} and (low is None or number > low or (number == low and op == ">")):
                    low, low_strict = number, op == ">"
                if op in {"<=", "<"} and (high is None or number < high or (number == high and op == "<")):
                    high, high_strict = number, op == "<"
            else:
                values = {str(v) for v in (value if isinstance(value, list) else [value])}
                allowed = values if allowed is None else allowed & values
        impossible = False
        if low is not None and high is not None and (low > high or (low == high and (low_strict or high_strict))):
            impossible = True
        if allowed is not None:
            if not allowed:
                impossible = True
            elif low is not None or high is not None:
                try:
                    numbers = [Decimal(v) for v in allowed]
                except InvalidOperation:
                    numbers = []
                in_range = [
                    n
                    for n in numbers
                    if (low is None or n > low or (n == low and not low_strict))
                    and (high is None or n < high or (n == high and not high_strict))
                ]
                impossible = impossible or not in_range
        if impossible:
            description = " and ".join(f"{name} {c['operator']} {_show(c['value'])}" for c in items)
            problems.append(
                _("The rule can never match: %(conditions)s cannot all hold.") % {"conditions": description}
            )
    return problems


def _show(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool) or str(value).lower() in {"true", "false"}:
        return _("yes") if str(value).lower() == "true" else _("no")
    return str(value)


def describe_conditions(conditions: list[dict], doc_type: str | None = None) -> str:
    """The conditions in the reader's words: each field under the label its document type gives."""
    if not conditions:
        return _("always")
    fields = getattr(get_document_type(doc_type), "condition_fields", {}) if doc_type else {}
    symbols = {">=": "≥", "<=": "≤"}

    def label(name: str) -> str:
        return str(fields[name].label) if name in fields else name

    return " · ".join(
        f"{label(c['field'])} {symbols.get(c['operator'], c['operator'])} {_show(c['value'])}" for c in conditions
    )


# --- evaluation ---------------------------------------------------------------------------------
def condition_holds(condition: dict, values: dict[str, Any]) -> bool:
    if condition["field"] not in values or values[condition["field"]] is None:
        return False
    actual, op, expected = values[condition["field"]], condition["operator"], condition["value"]
    try:
        if op in NUMERIC_OPERATORS:
            a, e = _number(actual), _number(expected)
            return {">=": a >= e, ">": a > e, "<=": a <= e, "<": a < e}[op]
        if isinstance(expected, bool) or isinstance(actual, bool):
            return _bool(actual) == _bool(expected)
        if op == "in":
            return _matches_any(actual, expected)
        return _matches_any(actual, [expected])
    except ConditionError:
        return False


def _matches_any(actual, expected: list) -> bool:
    for item in expected:
        try:
            if _number(actual) == _number(item):
                return True
        except ConditionError:
            if str(actual).strip() == str(item).strip():
                return True
    return False


def matching_rule(doc_type: str, values: dict[str, Any]) -> ApprovalRule | None:
    """The first active rule (by position) of the document type whose conditions all hold."""
    steps = Prefetch("steps", queryset=ApprovalStep.objects.select_related("user"))
    for rule in ApprovalRule.objects.filter(doc_type=doc_type, active=True).prefetch_related(steps):
        if all(condition_holds(condition, values) for condition in rule.conditions):
            return rule
    return None


# --- approvers ----------------------------------------------------------------------------------
ROLE_OF_KIND = {
    ApproverKind.SALES_DIRECTOR: Role.SALES_DIRECTOR,
    ApproverKind.GENERAL_MANAGER: Role.GENERAL_MANAGER,
    ApproverKind.FINANCE: Role.FINANCE,
}


def _holder_of(role: str) -> User | None:
    """The person holding a company-level role: the head of a unit who holds it, else the first holder."""
    heads = OrgUnit.objects.filter(head=OuterRef("pk"))
    holders = User.objects.filter(is_active=True, role_assignments__role=role)
    return holders.annotate(is_head=Exists(heads)).order_by("-is_head", "pk").first()


def _department_manager(requester: User) -> User | None:
    """The head of the requester's region or department (the unit above their team)."""
    unit = requester.org_unit
    while unit is not None:
        if (
            unit.kind in {OrgUnit.Kind.REGION, OrgUnit.Kind.DEPARTMENT}
            and unit.head_id
            and unit.head_id != requester.pk
        ):
            return unit.head
        unit = unit.parent
    boss = requester.manager
    return boss.manager if boss else None


def resolve_approver(kind: str, requester: User, user: User | None = None) -> User | None:
    if kind == ApproverKind.USER:
        return user if user and user.is_active else None
    if kind == ApproverKind.SUPERVISOR:
        return requester.manager
    if kind == ApproverKind.DEPARTMENT_MANAGER:
        return _department_manager(requester)
    return _holder_of(ROLE_OF_KIND[kind])


def resolve_chain(steps, requester: User) -> list[tuple[str, User]]:
    """(kind, person) per step, relative to the requester. No one approves their own request:
    a step that falls on the requester goes one level up (their manager). The same person is
    not asked twice in a row."""
    chain: list[tuple[str, User]] = []
    for step in steps:
        person = resolve_approver(step.approver, requester, step.user)
        if person is not None and person.pk == requester.pk:
            person = requester.manager
        if person is None or not person.is_active:
            continue
        if any(existing.pk == person.pk for _kind, existing in chain):
            continue
        chain.append((step.approver, person))
    return chain


def approver_problem(step: dict) -> str | None:
    """Why one step of a chain cannot be resolved to a person today (None when it can), as a
    phrase to follow "Step n:" or to stand, capitalised, next to the step's field."""
    kind = step.get("approver")
    if kind not in ApproverKind.values:
        return _("unknown approver “%(kind)s”") % {"kind": kind}
    if kind == ApproverKind.USER:
        person = step.get("user")
        if person is None or not getattr(person, "is_active", False):
            return _("choose an active person")
        return None
    if kind == ApproverKind.SUPERVISOR:
        if not User.objects.filter(is_active=True, reports__isnull=False).exists():
            return _("no one is anybody's direct supervisor")
        return None
    role = ROLE_OF_KIND.get(kind, Role.SALES_MANAGER)
    if not User.objects.filter(is_active=True, role_assignments__role=role).exists():
        return _("nobody holds the role “%(role)s”") % {"role": Role(role).label}
    return None


def unheld_approvers(steps: list[dict]) -> list[str]:
    """Problems for approver roles nobody currently holds (checked when a rule is saved)."""
    problems = []
    for index, step in enumerate(steps, start=1):
        problem = approver_problem(step)
        if problem:
            problems.append(_("Step %(n)d: %(problem)s.") % {"n": index, "problem": problem})
    return problems
