"""Checklist results for the mission summary: for each question and round, how many
observed stations answered it, how many of them with a concern, and the share with
its 95 % confidence interval.

Stations, not reports, are counted: a station visited twice in a round is one
station, with a concern if any visit found one. The figures come from two grouped
aggregate queries (by round, and by round and first-level area) whatever the
number of reports.
"""

import math
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from observation.models import Answer, ElectionRound, Question

# The normal quantile of a two-sided 95 % interval.
Z = 1.959964


def alphabetical(text: str) -> str:
    """A sort key that puts "Áncash" among the A's, not after "Piura"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def wilson(concern: int, answered: int) -> tuple[float, float]:
    """The Wilson score interval of concern/answered, in percent (0 to 100).

    Unlike the normal approximation it stays within 0 to 100 % and is honest for the
    small counts a mission's stations give per area (Wilson, 1927).
    """
    if not answered:
        return 0.0, 0.0
    share = concern / answered
    spread = Z * Z / answered
    centre = (share + spread / 2) / (1 + spread)
    half = Z * math.sqrt(share * (1 - share) / answered + spread / (4 * answered)) / (1 + spread)
    # Rounded well below what is printed, so that floating point leaves 100 % at 100.
    return round(100 * max(0.0, centre - half), 9), round(100 * min(1.0, centre + half), 9)


def percent(part: int, whole: int) -> Decimal:
    """part/whole in percent to one decimal, halves rounded up (5 of 16 is 31.3 %)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def interval(part: int, whole: int) -> tuple[Decimal, Decimal]:
    """The 95 % Wilson interval of part/whole in percent, to one decimal."""
    return tuple(
        Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP) for value in wilson(part, whole)
    )


@dataclass(frozen=True)
class Figure:
    """One question's result in one round (and one area, in the drill-down)."""

    answered: int
    concern: int
    counts_concern: bool

    @property
    def percent(self) -> Decimal:
        return percent(self.concern, self.answered)

    @property
    def interval(self) -> tuple[Decimal, Decimal]:
        return interval(self.concern, self.answered)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    # (round, Figure) for each round with an answer.
    by_round: list
    # (area, round, Figure) for each first-level area and round with an answer.
    by_area: list


# Past this many rows the breakdown by area stays on the summary page, out of the PDF:
# forty questions a phase in twenty-five areas would print a hundred pages of it.
PRINTED_AREA_ROWS = 400


def area_rows(results) -> int:
    return sum(len(result.by_area) for result in results if result.question.concern)


def checklist_results(mission, *, rounds=None) -> list[QuestionResult]:
    """Every question of the mission that has answers, in checklist order. `rounds`,
    the mission's rounds when the caller has read them already."""
    answers = Answer.objects.filter(report__mission=mission)
    figures = {
        "answered": Count("report__station", distinct=True),
        "concern": Count("report__station", distinct=True, filter=Q(concern=True)),
    }
    by_round = answers.values("question_id", "report__round_id").annotate(**figures).order_by()
    by_area = (
        answers.values("question_id", "report__round_id", "report__station__area_1")
        .annotate(**figures)
        .order_by()
    )
    if rounds is None:
        rounds = ElectionRound.objects.filter(mission=mission)
    rounds = {round_.pk: round_ for round_ in rounds}
    questions = (
        Question.objects.filter(mission=mission)
        .select_related("checklist")
        .order_by("checklist__phase", "position")
    )
    round_rows, area_rows = {}, {}
    for row in by_round:
        round_rows.setdefault(row["question_id"], []).append(row)
    for row in by_area:
        area_rows.setdefault(row["question_id"], []).append(row)

    def order(round_id):
        round_ = rounds[round_id]
        return round_.election_day, round_.pk

    results = []
    for question in questions:
        if question.pk not in round_rows:
            continue
        counts_concern = bool(question.concern)

        def figure(row, counts_concern=counts_concern):
            return Figure(row["answered"], row["concern"], counts_concern)

        results.append(
            QuestionResult(
                question=question,
                by_round=[
                    (rounds[row["report__round_id"]], figure(row))
                    for row in sorted(
                        round_rows[question.pk], key=lambda row: order(row["report__round_id"])
                    )
                ],
                by_area=[
                    (row["report__station__area_1"], rounds[row["report__round_id"]], figure(row))
                    for row in sorted(
                        area_rows[question.pk],
                        key=lambda row: (
                            order(row["report__round_id"]),
                            alphabetical(row["report__station__area_1"]),
                        ),
                    )
                ],
            )
        )
    return results
