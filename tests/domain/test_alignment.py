"""Goals that cascade: the roll-up over the tree and the rules for aligning, as pure functions.

Invariants: every progress stays within 0–100%; raising any check-in never lowers anything
above it (monotone); scaling a parent's alignment weights changes nothing; no cycle can be
stored, and a cycle in the data is cut rather than followed.
"""

from datetime import datetime, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.alignment import MAX_DEPTH, alignment_problem, ancestors, objective_ref_of
from bot.domain.tree import objective_tree
from bot.domain.views import CheckinRecord, KeyResultRecord, ObjectiveRecord, Person, objective_views

D = Decimal
WHO = Person("U1", "ann")


def objective(number: int, parent: str | None = None, weight: str = "1", team: str | None = None) -> ObjectiveRecord:
    return ObjectiveRecord(number, f"Objective {number}", "2026-Q4", WHO, parent=parent, align_weight=D(weight), team=team,
                           level="team" if team else "company")


def key_result(objective_number: int, number: int, value: str | None, target: str = "100", weight: str = "1") -> KeyResultRecord:
    checkins = (CheckinRecord(D(value), None, "", WHO, datetime(2026, 11, 1, tzinfo=timezone.utc)),) if value is not None else ()
    return KeyResultRecord(objective_number, number, f"KR {objective_number}.{number}", D(0), D(target), "", D(weight), WHO, checkins)


def by_ref(views):
    return {v.ref: v for v in views}


def test_a_key_result_with_aligned_objectives_takes_their_weighted_progress_not_its_own_checkins():
    views = by_ref(objective_views(
        [objective(1), objective(2, "KR1.1", weight="2"), objective(3, "KR1.1")],
        [key_result(1, 1, "90"), key_result(1, 2, "30"), key_result(2, 1, "60"), key_result(3, 1, "30")],
    ))
    rolled = views["O1"].key_results[0]
    assert rolled.rolled_up and [a.ref for a in rolled.aligned] == ["O2", "O3"]
    assert rolled.progress == (D("0.6") * 2 + D("0.3")) / 3  # 50%: its own 90 is not counted
    assert rolled.current is None
    assert views["O1"].progress == (D("0.5") + D("0.3")) / 2


def test_an_objective_aligned_directly_counts_beside_the_key_results_by_its_weight():
    views = by_ref(objective_views([objective(1), objective(2, "O1", weight="2")], [key_result(1, 1, "20"), key_result(2, 1, "80")]))
    assert views["O1"].progress == (D("0.2") * 1 + D("0.8") * 2) / 3
    assert [a.ref for a in views["O1"].aligned] == ["O2"]


def test_three_levels_roll_up_from_the_person_to_the_company():
    views = by_ref(objective_views(
        [objective(1), objective(2, "KR1.1", team="Growth"), objective(3, "O2", team="Growth")],
        [key_result(1, 1, None), key_result(2, 1, "40"), key_result(3, 1, "100")],
    ))
    assert views["O3"].progress == 1
    assert views["O2"].progress == D("0.7")  # (40% + 100%) / 2
    assert views["O1"].progress == D("0.7")  # its only key result is O2


def test_a_parent_outside_the_set_is_ignored_and_a_cycle_in_the_data_is_cut():
    views = by_ref(objective_views([objective(1, "O2"), objective(2, "O1")], [key_result(1, 1, "50"), key_result(2, 1, "10")]))
    assert set(views) == {"O1", "O2"}  # terminates; each counts the other at most once, never itself
    alone = by_ref(objective_views([objective(5, "KR9.1")], [key_result(5, 1, "50")]))
    assert alone["O5"].progress == D("0.5") and alone["O5"].parent == "KR9.1"


def test_alignment_refuses_a_cycle_and_allows_a_new_branch():
    parents = {"O2": "KR1.1", "O3": "O2"}
    assert alignment_problem(parents, "O1", "O3") == "error.align_cycle"
    assert alignment_problem(parents, "O1", "KR3.2") == "error.align_cycle"
    assert alignment_problem(parents, "O2", "KR2.1") == "error.align_cycle"  # its own key result
    assert alignment_problem(parents, "O4", "O3") is None
    assert ancestors(parents, "KR3.1") == ["O3", "O2", "O1"]
    assert objective_ref_of("KR12.3") == "O12"


def test_a_chain_deeper_than_the_limit_is_refused():
    parents = {f"O{n}": f"O{n - 1}" for n in range(2, MAX_DEPTH + 3)}
    assert alignment_problem(parents, "O99", f"O{MAX_DEPTH + 2}") == "error.align_too_deep"


def test_the_tree_lists_each_objective_under_its_parent():
    views = objective_views([objective(1), objective(2, "KR1.1"), objective(3, "O2"), objective(4)],
                            [key_result(1, 1, None), key_result(2, 1, "10")])
    lines = [(line.depth, line.objective.ref, line.via) for line in objective_tree(views)]
    assert lines == [(0, "O1", None), (1, "O2", "KR1.1"), (2, "O3", None), (0, "O4", None)]


# -- properties ----------------------------------------------------------------------------------

@st.composite
def forests(draw):
    """Up to 8 objectives, each aligned (or not) to an earlier one or one of its key results,
    with 1–2 key results each and random check-ins: any tree the commands can build."""
    count = draw(st.integers(1, 8))
    objectives, key_results = [], []
    for number in range(1, count + 1):
        parent = None
        if number > 1 and draw(st.booleans()):
            target = draw(st.integers(1, number - 1))
            parent = f"O{target}" if draw(st.booleans()) else f"KR{target}.1"
        objectives.append(objective(number, parent, weight=str(draw(st.integers(1, 5)))))
        for kr_number in (1, 2)[: draw(st.integers(1, 2))]:
            value = draw(st.one_of(st.none(), st.integers(-50, 250).map(str)))
            key_results.append(key_result(number, kr_number, value, weight=str(draw(st.integers(1, 3)))))
    return objectives, key_results


@settings(max_examples=150, deadline=None)
@given(forests())
def test_every_progress_stays_between_0_and_100_percent(forest):
    for view in objective_views(*forest):
        assert 0 <= view.progress <= 1
        for kr in view.key_results:
            if kr.rolled_up:
                assert 0 <= kr.progress <= 1


@settings(max_examples=150, deadline=None)
@given(forests(), st.data())
def test_raising_a_checkin_never_lowers_anything_above_it(forest, data):
    objectives, key_results = forest
    index = data.draw(st.integers(0, len(key_results) - 1))
    raised = list(key_results)
    old = raised[index]
    before = old.checkins[0].value if old.checkins else D(-50)
    raised[index] = key_result(old.objective_number, old.number, str(before + data.draw(st.integers(1, 200))), weight=str(old.weight))
    low, high = by_ref(objective_views(objectives, key_results)), by_ref(objective_views(objectives, raised))
    for ref in low:
        assert high[ref].progress >= low[ref].progress


@settings(max_examples=100, deadline=None)
@given(forests(), st.integers(2, 7))
def test_scaling_the_weights_under_key_results_changes_no_progress(forest, factor):
    """Only relative weights count among a key result's children (beside an objective's own key
    results, a directly aligned objective's weight is relative to theirs, so it is left as is)."""
    objectives, key_results = forest
    scaled = [o.__class__(**{**o.__dict__, "align_weight": o.align_weight * factor}) if (o.parent or "").startswith("KR") else o
              for o in objectives]
    plain, bigger = by_ref(objective_views(objectives, key_results)), by_ref(objective_views(scaled, key_results))
    for ref in plain:
        assert abs(plain[ref].progress - bigger[ref].progress) < D("1e-20")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.integers(1, 12).map(lambda n: f"O{n}"), st.integers(1, 12).map(lambda n: f"O{n}"), max_size=12),
       st.integers(1, 12), st.integers(1, 12))
def test_an_accepted_alignment_never_makes_a_cycle(parents, child, parent):
    links = {c: p for c, p in parents.items() if c != p}
    child_ref, parent_ref = f"O{child}", f"O{parent}"
    if any(c in ancestors(links, p)[1:] for c, p in links.items()):  # only acyclic starting points: what the commands store
        return
    if alignment_problem(links, child_ref, parent_ref) is None:
        links[child_ref] = parent_ref
        assert child_ref not in ancestors(links, parent_ref)
