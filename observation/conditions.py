"""Conditions on earlier answers ("shown only when"): the subset of XLSForm's
`relevant` column that Observa reads, checks and evaluates.

The subset, which covers the conditions observation checklists use:

    ${question} = 'value'          also !=, and for numbers <, <=, >, >=
    ${question} > 3                a number on either side
    selected(${question}, 'value') for a several-choices question
    not(...), (...), and, or       "and" binds tighter than "or"

A condition is parsed once into a small tree of lists and dictionaries, which
the server evaluates here and the browser evaluates in `static/js/checklist.js`
(the same tree, sent as JSON: no expression is ever evaluated as code).
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

COMPARISONS = ("=", "!=", "<=", ">=", "<", ">")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<name>[^}]*)\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)


class ConditionError(ValueError):
    """A condition outside the subset, or naming a question it may not name."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ConditionError(
                _("Cannot read the condition from “%(rest)s”.") % {"rest": text[position:]}
            )
        if match.group("ref"):
            tokens.append(("ref", match.group("name").strip()))
        elif match.group("string"):
            tokens.append(("string", match.group("string")[1:-1]))
        else:
            kind = next(k for k in ("number", "op", "punct", "word") if match.group(k))
            tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (value and token[1] != value):
            expected = value or kind
            found = token[1] if token[0] else _("the end")
            raise ConditionError(
                _("Expected %(expected)s but found “%(found)s”.")
                % {"expected": expected, "found": found}
            )
        self.position += 1
        return token

    def parse(self):
        tree = self.expression()
        if self.position != len(self.tokens):
            raise ConditionError(
                _("Unexpected “%(found)s” in the condition.") % {"found": self.peek()[1]}
            )
        return tree

    def expression(self):
        terms = [self.conjunction()]
        while self.peek() == ("word", "or"):
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else {"or": terms}

    def conjunction(self):
        terms = [self.atom()]
        while self.peek() == ("word", "and"):
            self.take()
            terms.append(self.atom())
        return terms[0] if len(terms) == 1 else {"and": terms}

    def atom(self):
        kind, value = self.peek()
        if (kind, value) == ("punct", "("):
            self.take()
            tree = self.expression()
            self.take("punct", ")")
            return tree
        if (kind, value) == ("word", "not"):
            self.take()
            self.take("punct", "(")
            tree = self.expression()
            self.take("punct", ")")
            return {"not": tree}
        if (kind, value) == ("word", "selected"):
            self.take()
            self.take("punct", "(")
            name = self.take("ref")[1]
            self.take("punct", ",")
            option = self.take("string")[1]
            self.take("punct", ")")
            return {"selected": [name, option]}
        if kind == "word":
            raise ConditionError(
                _("“%(word)s” is not part of the conditions Observa reads.") % {"word": value}
            )
        left = self.operand()
        operator = self.take("op")[1]
        right = self.operand()
        return {"compare": [operator, left, right]}

    def operand(self):
        kind, value = self.peek()
        if kind == "ref":
            self.take()
            return {"ref": value}
        if kind in ("string", "number"):
            self.take()
            return {"value": value}
        raise ConditionError(
            _("Expected a question or a value but found “%(found)s”.")
            % {"found": value or _("the end")}
        )


def parse(text: str):
    """The tree of a condition; ConditionError if it is outside the subset."""
    return _Parser(text).parse()


def references(tree) -> list[str]:
    """The question codes a condition names, in order."""
    if "ref" in tree:
        return [tree["ref"]]
    if "selected" in tree:
        return [tree["selected"][0]]
    if "compare" in tree:
        return [*references(tree["compare"][1]), *references(tree["compare"][2])]
    if "not" in tree:
        return references(tree["not"])
    return [name for term in tree.get("and", tree.get("or", [])) for name in references(term)]


def _number(value: str):
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def _compare(operator: str, left: str, right: str) -> bool:
    left_number, right_number = _number(left), _number(right)
    if left_number is not None and right_number is not None:
        left, right = left_number, right_number
    elif operator not in ("=", "!="):
        # As in XPath: an empty or non-numeric side is never larger or smaller.
        return False
    return {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[operator]


def evaluate(tree, answers: dict) -> bool:
    """Whether the condition holds for `answers` ({code: canonical text}, unanswered absent)."""

    def value(operand):
        return answers.get(operand["ref"], "") if "ref" in operand else operand["value"]

    if "or" in tree:
        return any(evaluate(term, answers) for term in tree["or"])
    if "and" in tree:
        return all(evaluate(term, answers) for term in tree["and"])
    if "not" in tree:
        return not evaluate(tree["not"], answers)
    if "selected" in tree:
        name, option = tree["selected"]
        return option in answers.get(name, "").split()
    operator, left, right = tree["compare"]
    return _compare(operator, value(left), value(right))
