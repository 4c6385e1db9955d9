"""The group's meetings (issue 30): who was there, what was decided, hands counted, and
what each decision has allowed to spend so far.

A meeting and each decision are journaled rows, built by kiosk/ledger/meeting_rows.py and
written by ONE write.write_event each, under the journal head lock, like a sale. Nothing is
ever edited: a later decision `replaces` an earlier one. A spend decision grants an amount
from an envelope, and the spends citing it (envelopes.spend, `check_spend`) never take more
than that together; a split decision is a split rule in force from its date (the envelopes'
split form and /split-rules make such a decision too, with no meeting).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import N_, Conflict, InvalidInput, NotFound
from kiosk.ledger import journal, meeting_rows, rows, write
from kiosk.ledger.meeting_rows import DECISIONS, MEETINGS
from kiosk.ledger.money import format_money
from kiosk.ledger.rows import SPLIT_RULE_PARTS, SPLIT_RULES
from kiosk.models import (
    DailyTotal,
    Decision,
    DecisionSpend,
    Envelope,
    EnvelopeEntry,
    Meeting,
    Product,
    Proposal,
    Setting,
    SplitRule,
)
from kiosk.models.reports import MADE
from kiosk.text import is_digits
from kiosk.vocabulary import MAX_AMOUNT_CENTS, NAME_MAX, NOTE_MAX, PARIS

SPEND, SPLIT, OTHER = "spend", "split", "other"
MAX_PRESENT = 100  # names on one meeting's list
MAX_VOTES = 999
THRESHOLD_KEY = "spend_decision_above_cents"  # Setting: spends above need a decision
TABLES = (MEETINGS, DECISIONS, SPLIT_RULES, SPLIT_RULE_PARTS)


def _clean(value: str | None, field_name: str, message: str, *, limit: int,
           required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > limit or any(
            ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidInput(field_name, message)
    return value


# --- a meeting ------------------------------------------------------------------------------

def create_meeting(session: Session, held_on: date, present: Sequence[str], note: str = "",
                   user_id: int | None = None) -> dict[str, Any]:
    """Record a meeting: its date and who was there (a name a line, each once)."""
    if not date(2000, 1, 1) <= held_on <= date(2100, 12, 31):
        raise InvalidInput("held_on", "Donnez la date de la réunion.")
    names: list[str] = []
    for name in present:
        name = _clean(name, "present", N_("Chaque nom fait 120 caractères au plus, sans "
                      "caractère invisible."), limit=NAME_MAX, required=False)
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if not names:
        raise InvalidInput("present", "Écrivez le nom des personnes présentes, un par ligne.")
    if len(names) > MAX_PRESENT:
        raise InvalidInput("present", "Une réunion compte %(n)s personnes au plus.",
                           n=MAX_PRESENT)
    note = _clean(note, "note", N_("La note fait 500 caractères au plus."), limit=NOTE_MAX,
                  required=False)
    head = journal.lock_head(session)
    now = utcnow()
    [meeting_id] = write.take_ids(session, {MEETINGS: 1})[MEETINGS.name]
    row = meeting_rows.meeting(id=meeting_id, held_on=held_on, present=names, note=note,
                               created_by=user_id, created_at=now)
    write.record_event(session, "meeting", f"meeting-{meeting_id}", [(MEETINGS, [row])],
                       user_id, now, head=head)
    return row


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("unknown_meeting", "Cette réunion n'existe pas.")
    return meeting


def meetings(session: Session) -> list[Meeting]:
    return list(session.scalars(select(Meeting).order_by(Meeting.held_on.desc(),
                                                         Meeting.id.desc())))


def present_names(meeting: Meeting) -> list[str]:
    return [name for name in meeting.present.split("\n") if name]


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    return session.scalar(select(Meeting).where(
        (Meeting.held_on < meeting.held_on)
        | ((Meeting.held_on == meeting.held_on) & (Meeting.id < meeting.id)))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(1))


# --- decisions ------------------------------------------------------------------------------

def _votes(votes: Sequence[int] | None, present: int | None) -> tuple[int, int, int] | None:
    if votes is None:
        return None
    if len(votes) != 3 or any(isinstance(v, bool) or not isinstance(v, int)
                              or not 0 <= v <= MAX_VOTES for v in votes):
        raise InvalidInput("votes", "Les votes sont des nombres de mains : pour, contre, "
                           "abstention.")
    if present is not None and sum(votes) > present:
        raise InvalidInput("votes", "Plus de votes (%(votes)s) que de personnes présentes "
                           "(%(present)s) : recomptez les mains.", votes=sum(votes),
                           present=present)
    return (votes[0], votes[1], votes[2])


def adopted(decision: Decision | Mapping[str, Any]) -> bool:
    """Adopted: the hands were not counted (agreed by all), or more for than against."""
    get = decision.get if isinstance(decision, Mapping) else decision.__getattribute__
    return get("votes_for") is None or get("votes_for") > get("votes_against")


def _split_weights(session: Session, weights: Mapping[str, int]) -> dict[int, int]:
    if not weights or any(isinstance(w, bool) or not isinstance(w, int) or w < 0
                          for w in weights.values()) or sum(weights.values()) <= 0:
        raise InvalidInput("weights", "Les parts doivent être positives et non toutes nulles.")
    envelopes = dict(session.execute(select(Envelope.code, Envelope.id)
                                     .where(Envelope.code.in_(list(weights)))).all())
    missing = sorted(set(weights) - set(envelopes))
    if missing:
        raise NotFound("envelope", "Enveloppe inconnue : %(codes)s.", codes=", ".join(missing))
    return {envelopes[code]: weight for code, weight in weights.items() if weight > 0}


def decide(session: Session, meeting_id: int | None, text: str, *,
           spend: tuple[str, int] | None = None, split: Mapping[str, int] | None = None,
           votes: Sequence[int] | None = None, replaces_id: int | None = None,
           effective_from: date | None = None,
           user_id: int | None = None) -> dict[str, Any]:
    """Record one decision of a meeting: `spend` (envelope code, cents granted), or `split`
    ({envelope code: share}, in force from the meeting's date, or `effective_from` for a
    split decided with no recorded meeting), or neither (a decision in words). `votes`:
    (for, against, abstain). `replaces_id`: the decision this one replaces."""
    text = _clean(text, "text", N_("Écrivez la décision en une phrase (500 caractères au "
                                   "plus)."), limit=NOTE_MAX)
    if spend is not None and split is not None:
        raise InvalidInput("kind", "Une décision accorde une dépense ou change la "
                           "répartition, pas les deux : faites-en deux.")
    head = journal.lock_head(session)
    meeting = get_meeting(session, meeting_id) if meeting_id is not None else None
    votes = _votes(votes, len(present_names(meeting)) if meeting else None)
    decided_on = meeting.held_on if meeting else effective_from
    if decided_on is None:
        raise InvalidInput("decided_on", "Donnez la date de la décision.")
    kind = SPEND if spend is not None else SPLIT if split is not None else OTHER
    envelope_id = amount = None
    if spend is not None:
        code, amount = spend
        if isinstance(amount, bool) or not isinstance(amount, int) or not (
                1 <= amount <= MAX_AMOUNT_CENTS):
            raise InvalidInput("amount", "Le montant accordé va de 0,01 € à %(max)s.",
                               max=format_money(MAX_AMOUNT_CENTS))
        envelope_id = session.scalar(select(Envelope.id).where(Envelope.code == code))
        if envelope_id is None:
            raise NotFound("envelope", "L'enveloppe « %(which)s » n'existe pas.", which=code)
    weights = _split_weights(session, split) if split is not None else {}
    if replaces_id is not None:
        _check_replaces(session, replaces_id, kind, envelope_id, amount)
    now = utcnow()
    adopted_now = votes is None or votes[0] > votes[1]
    with_rule = kind == SPLIT and adopted_now
    ids = write.take_ids(session, {DECISIONS: 1, SPLIT_RULES: 1 if with_rule else 0,
                                   SPLIT_RULE_PARTS: len(weights) if with_rule else 0})
    [decision_id] = ids[DECISIONS.name]
    tables: list[tuple[Table, list[dict[str, Any]]]] = []
    rule_id = None
    if with_rule:
        [rule_id] = ids[SPLIT_RULES.name]
        tables.append((SPLIT_RULES, [rows.split_rule(
            id=rule_id, effective_from=decided_on, decision=text, created_by=user_id,
            created_at=now)]))
        tables.append((SPLIT_RULE_PARTS, [
            rows.split_rule_part(id=part_id, split_rule_id=rule_id,
                                         envelope_id=envelope, weight=weight)
            for part_id, (envelope, weight) in zip(ids[SPLIT_RULE_PARTS.name],
                                                    weights.items(), strict=True)]))
    row = meeting_rows.decision(
        id=decision_id, meeting_id=meeting.id if meeting else None, kind=kind, text=text,
        decided_on=decided_on, envelope_id=envelope_id, amount_cents=amount,
        split_rule_id=rule_id, votes=votes, replaces_id=replaces_id, created_by=user_id,
        created_at=now)
    tables.append((DECISIONS, [row]))
    # a split keeps its event's name: the journal page and the closing slip read it
    write.record_event(session, "split_rule" if with_rule else "decision",
                       f"decision-{decision_id}", tables, user_id, now, head=head)
    return row


def decide_split(session: Session, weights: Mapping[str, int], effective_from: date,
                 text: str, user_id: int | None) -> SplitRule:
    """The envelopes' split form and POST /split-rules: a split decision with no recorded
    meeting, in force from `effective_from` (the rule closing reads, rule_in_force)."""
    if not (text or "").strip():
        raise InvalidInput("decision", "Dites quand la décision a été prise "
                           "(« décidé en réunion du … »).")
    row = decide(session, None, text, split=weights, effective_from=effective_from,
                 user_id=user_id)
    return session.get(SplitRule, row["split_rule_id"])


def replaced_by(session: Session, decision_id: int) -> int | None:
    return session.scalar(select(func.min(Decision.id)).where(
        Decision.replaces_id == decision_id))


def _chain(session: Session, decision: Decision) -> list[int]:
    """The decision and those it replaces, back to the first."""
    ids = [decision.id]
    while decision.replaces_id is not None and len(ids) < 1000:
        decision = session.get(Decision, decision.replaces_id)
        ids.append(decision.id)
    return ids


def spent_cents(session: Session, decision: Decision) -> int:
    """What the spends citing this decision (or one it replaced) took, in cents."""
    return -int(session.scalar(
        select(func.coalesce(func.sum(EnvelopeEntry.amount_cents), 0))
        .join(DecisionSpend, DecisionSpend.envelope_entry_id == EnvelopeEntry.id)
        .where(DecisionSpend.decision_id.in_(_chain(session, decision)))) or 0)


def _check_replaces(session: Session, replaces_id: int, kind: str, envelope_id: int | None,
                    amount: int | None) -> None:
    old = session.get(Decision, replaces_id)
    if old is None:
        raise NotFound("unknown_decision", "La décision n° %(id)s n'existe pas.",
                       id=replaces_id)
    newer = replaced_by(session, replaces_id)
    if newer is not None:
        raise Conflict("decision_replaced", "La décision n° %(id)s est déjà remplacée par la "
                       "décision n° %(new)s.", id=replaces_id, new=newer)
    if old.kind != kind:
        raise InvalidInput("replaces", "Une décision en remplace une autre du même genre "
                           "(dépense, répartition ou autre).")
    if kind == SPEND:
        if old.envelope_id != envelope_id:
            raise InvalidInput("replaces", "La nouvelle décision prend l'argent de la même "
                               "enveloppe que celle qu'elle remplace.")
        spent = spent_cents(session, old)
        if amount is not None and amount < spent:
            raise Conflict("below_spent", "%(spent)s sont déjà dépensés sur la décision "
                           "n° %(id)s : la nouvelle ne peut pas accorder moins.",
                           spent=format_money(spent), id=replaces_id)


# --- a spend citing its decision (envelopes.spend) ------------------------------------------

def spend_threshold(session: Session) -> int | None:
    """Spends above this many cents need a decision; None: off (the default)."""
    value = session.get(Setting, THRESHOLD_KEY)
    if value is None or not is_digits(value.value):
        return None
    return int(value.value)


def set_spend_threshold(session: Session, cents: int | None) -> None:
    if cents is not None and (isinstance(cents, bool) or not isinstance(cents, int)
                              or not 0 <= cents <= MAX_AMOUNT_CENTS):
        raise InvalidInput("threshold", "Écrivez un montant en euros, par exemple 50, ou "
                           "laissez vide.")
    session.merge(Setting(key=THRESHOLD_KEY, value="" if cents is None else str(cents)))


def check_spend(session: Session, envelope: Envelope, amount_cents: int,
                decision_id: int | None) -> dict[str, Any] | None:
    """Under the head lock, before a spend is written: the decision it cites allows it
    (its envelope, what is left of its grant), or none is needed. Returns the link's row
    (meeting_rows.decision_spend) to write with the spend, or None."""
    if decision_id is None:
        threshold = spend_threshold(session)
        if threshold is not None and amount_cents > threshold:
            raise Conflict("decision_needed", "Une dépense de plus de %(limit)s a besoin "
                           "d'une décision du groupe : choisissez la décision qui l'a "
                           "permise.", limit=format_money(threshold))
        return None
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound("unknown_decision", "La décision n° %(id)s n'existe pas.",
                       id=decision_id)
    if decision.kind != SPEND:
        raise InvalidInput("not_a_spend_decision", "La décision n° %(id)s n'accorde pas "
                           "d'argent : choisissez une décision de dépense.", id=decision_id)
    if not adopted(decision):
        raise Conflict("decision_refused", "La décision n° %(id)s n'a pas été adoptée : "
                       "elle ne permet aucune dépense.", id=decision_id)
    newer = replaced_by(session, decision_id)
    if newer is not None:
        raise Conflict("decision_replaced", "La décision n° %(id)s a été remplacée par la "
                       "décision n° %(new)s : citez celle-ci.", id=decision_id, new=newer)
    if decision.envelope_id != envelope.id:
        raise InvalidInput("decision_envelope", "La décision n° %(id)s n'accorde pas "
                           "d'argent de l'enveloppe « %(name)s ».", id=decision_id,
                           name=envelope.name)
    spent = spent_cents(session, decision)
    left = (decision.amount_cents or 0) - spent
    if amount_cents > left:
        raise Conflict("beyond_decision", "La décision n° %(id)s accorde %(granted)s, dont "
                       "%(spent)s déjà dépensés : il reste %(left)s. Une dépense de "
                       "%(amount)s dépasse ce que le groupe a décidé.", id=decision_id,
                       granted=format_money(decision.amount_cents or 0),
                       spent=format_money(spent), left=format_money(left),
                       amount=format_money(amount_cents))
    return meeting_rows.decision_spend(id=None, decision_id=decision_id,
                                       envelope_entry_id=None)


# --- proposals, prepared before the meeting -------------------------------------------------

def add_proposal(session: Session, title: str, envelope_code: str | None,
                 amount_cents: int | None, user_id: int | None = None) -> Proposal:
    """A proposal to show at the next meeting: a spend from an envelope (both given) or
    words alone (neither). Its photo: catalogue.store_photo(session, proposal, …)."""
    title = _clean(title, "title", N_("Donnez un titre à la proposition (120 caractères au "
                   "plus)."), limit=NAME_MAX)
    envelope_id = None
    if envelope_code:
        envelope_id = session.scalar(select(Envelope.id).where(Envelope.code == envelope_code))
        if envelope_id is None:
            raise NotFound("envelope", "L'enveloppe « %(which)s » n'existe pas.",
                           which=envelope_code)
    if (envelope_id is None) != (amount_cents is None) or (
            amount_cents is not None and not 1 <= amount_cents <= MAX_AMOUNT_CENTS):
        raise InvalidInput("amount", "Une dépense proposée a une enveloppe et un montant "
                           "(de 0,01 € à %(max)s).", max=format_money(MAX_AMOUNT_CENTS))
    proposal = Proposal(title=title, envelope_id=envelope_id, amount_cents=amount_cents,
                        created_by=user_id)
    session.add(proposal)
    session.flush()
    return proposal


def proposals_for(session: Session, meeting: Meeting) -> list[Proposal]:
    """The proposals a meeting shows: those still waiting, and those it decided."""
    decided_here = select(Decision.id).where(Decision.meeting_id == meeting.id)
    return list(session.scalars(select(Proposal).where(
        Proposal.decision_id.is_(None) | Proposal.decision_id.in_(decided_here))
        .order_by(Proposal.id)))


def pending_proposals(session: Session) -> list[Proposal]:
    return list(session.scalars(select(Proposal).where(Proposal.decision_id.is_(None))
                                .order_by(Proposal.id)))


def decide_proposal(session: Session, meeting_id: int, proposal_id: int,
                    votes: Sequence[int] | None, user_id: int | None) -> dict[str, Any]:
    """The hands counted on a proposal: its decision (a spend, or words alone)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("unknown_proposal", "Cette proposition n'existe pas.")
    if proposal.decision_id is not None:
        raise Conflict("proposal_decided", "Cette proposition est déjà décidée (décision "
                       "n° %(id)s).", id=proposal.decision_id)
    spend = None
    if proposal.envelope_id is not None:
        code = session.scalar(select(Envelope.code).where(Envelope.id == proposal.envelope_id))
        spend = (code, proposal.amount_cents)
    row = decide(session, meeting_id, proposal.title, spend=spend, votes=votes,
                 user_id=user_id)
    proposal.decision_id = row["id"]
    session.flush()
    return row


# --- what a meeting shows -------------------------------------------------------------------

@dataclass
class DecisionView:
    decision: Decision
    envelope: Envelope | None
    weights: dict[str, int]  # a split's shares by envelope code
    spent_cents: int
    replaced_by: int | None

    @property
    def adopted(self) -> bool:
        return adopted(self.decision)

    @property
    def left_cents(self) -> int:
        return (self.decision.amount_cents or 0) - self.spent_cents


def decision_view(session: Session, decision: Decision) -> DecisionView:
    envelope = session.get(Envelope, decision.envelope_id) if decision.envelope_id else None
    weights: dict[str, int] = {}
    if decision.split_rule_id is not None:
        rule = session.get(SplitRule, decision.split_rule_id)
        codes = dict(session.execute(select(Envelope.id, Envelope.code)).all())
        weights = {codes[part.envelope_id]: part.weight for part in rule.parts}
    return DecisionView(decision, envelope, weights,
                        spent_cents(session, decision) if decision.kind == SPEND else 0,
                        replaced_by(session, decision.id))


def decisions_of(session: Session, meeting_id: int) -> list[DecisionView]:
    return [decision_view(session, d) for d in session.scalars(
        select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.id))]


def open_spend_decisions(session: Session) -> list[DecisionView]:
    """Spend decisions a spend may still cite (adopted, not replaced), newest first."""
    found = []
    for decision in session.scalars(select(Decision).where(Decision.kind == SPEND)
                                    .order_by(Decision.id.desc())):
        view = decision_view(session, decision)
        if view.adopted and view.replaced_by is None:
            found.append(view)
    return found


@dataclass
class DaySold:
    day: date
    cents: int = 0
    count: int = 0
    products: list[tuple[Product, int, int]] = field(default_factory=list)  # qty, cents


@dataclass
class Jar:
    envelope: Envelope
    balance_cents: int


@dataclass
class SpendLine:
    day: date
    envelope: str
    label: str
    cents: int
    decision_id: int | None


@dataclass
class Summary:
    """What the big screen shows: since the last meeting (exclusive) up to this one's day."""

    since: date
    until: date
    days: list[DaySold]
    sold_cents: int
    pieces_sewn: int
    banner_m2: float
    jars: list[Jar]
    fullest_cents: int
    spends: list[SpendLine]
    spent_cents: int
    past: list[DecisionView]  # every earlier spend decision, with what it has spent


def summary(session: Session, meeting: Meeting) -> Summary:
    before = previous_meeting(session, meeting)
    since = before.held_on + timedelta(days=1) if before else meeting.held_on - timedelta(
        days=31)
    until = meeting.held_on
    products = {p.id: p for p in session.scalars(select(Product))}
    days: dict[date, DaySold] = {}
    in_period = (DailyTotal.day >= since, DailyTotal.day <= until)
    for day, kind, product_id, count, cents in session.execute(
            select(DailyTotal.day, DailyTotal.kind, DailyTotal.product_id,
                   func.sum(DailyTotal.count), func.sum(DailyTotal.cents))
            .where(*in_period, DailyTotal.kind != MADE)
            .group_by(DailyTotal.day, DailyTotal.kind, DailyTotal.product_id)):
        sold = days.setdefault(day, DaySold(day))
        if product_id == 0:
            sold.cents += int(cents)
            if kind != "void" and kind != "refund":
                sold.count += int(count)
    by_product: dict[tuple[date, int], list[int]] = {}
    for day, product_id, qty, cents in session.execute(
            select(DailyTotal.day, DailyTotal.product_id, func.sum(DailyTotal.qty),
                   func.sum(DailyTotal.cents))
            .where(*in_period, DailyTotal.kind != MADE, DailyTotal.product_id != 0)
            .group_by(DailyTotal.day, DailyTotal.product_id)):
        by_product[(day, product_id)] = [int(qty), int(cents)]
    for (day, product_id), (qty, cents) in sorted(by_product.items(),
                                                  key=lambda i: (i[0][0], -i[1][0])):
        if qty and product_id in products:
            days[day].products.append((products[product_id], qty, cents))
    sewn, area = 0, 0
    for product_id, qty in session.execute(
            select(DailyTotal.product_id, func.sum(DailyTotal.qty))
            .where(*in_period, DailyTotal.kind == MADE).group_by(DailyTotal.product_id)):
        sewn += int(qty)
        product = products.get(product_id)
        area += int(qty) * ((product.banner_area_cm2 or 0) if product else 0)
    sums = dict(session.execute(
        select(EnvelopeEntry.envelope_id, func.sum(EnvelopeEntry.amount_cents))
        .where(EnvelopeEntry.entry_date <= until).group_by(EnvelopeEntry.envelope_id)).all())
    jars = [Jar(e, int(sums.get(e.id, 0) or 0))
            for e in session.scalars(select(Envelope).order_by(Envelope.id)) if e.active]
    names = {jar.envelope.id: jar.envelope.name for jar in jars}
    cited = dict(session.execute(select(DecisionSpend.envelope_entry_id,
                                        DecisionSpend.decision_id)).all())
    spends = [SpendLine(entry.entry_date, names.get(entry.envelope_id, "?"), entry.label,
                        -entry.amount_cents, cited.get(entry.id))
              for entry in session.scalars(
                  select(EnvelopeEntry).where(EnvelopeEntry.kind == "spend",
                                              EnvelopeEntry.entry_date >= since,
                                              EnvelopeEntry.entry_date <= until)
                  .order_by(EnvelopeEntry.entry_date, EnvelopeEntry.id))]
    past = [view for view in (decision_view(session, d) for d in session.scalars(
        select(Decision).where(Decision.kind == SPEND, Decision.meeting_id != meeting.id,
                               Decision.decided_on <= until)
        .order_by(Decision.decided_on.desc(), Decision.id.desc()).limit(20)))
        if view.adopted]  # a refused proposal paid for nothing
    ordered = [days[day] for day in sorted(days)]
    return Summary(since, until, ordered, sum(d.cents for d in ordered), sewn,
                   round(area / 10_000, 1), jars,
                   max([jar.balance_cents for jar in jars] + [1]), spends,
                   sum(s.cents for s in spends), past)


@dataclass
class Funded:
    """One thing the group decided to pay for, as a customer may see it: no name, no
    person, only the group's words, its month and the money."""

    text: str
    month: date
    granted_cents: int
    spent_cents: int


def funded(session: Session, limit: int = 30) -> list[Funded]:
    """The adopted spend decisions still in force, newest first, with what each has paid
    (the public page "ce que vos achats ont financé")."""
    found = []
    for decision in session.scalars(select(Decision).where(Decision.kind == SPEND)
                                    .order_by(Decision.decided_on.desc(),
                                              Decision.id.desc())):
        if not adopted(decision) or replaced_by(session, decision.id) is not None:
            continue
        found.append(Funded(decision.text, decision.decided_on.replace(day=1),
                            decision.amount_cents or 0, spent_cents(session, decision)))
        if len(found) >= limit:
            break
    return found


def today() -> date:
    return utcnow().astimezone(PARIS).date()
