"""Forms of the meeting pages: a new meeting, the spend threshold, a proposal prepared
before the meeting, a decision typed on the big screen, the hands counted on a proposal.
Amounts, days, ids, shares and votes are read by the shared fields and input layer
(kiosk/common/); the texts are checked by the services, which say what is wrong."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from kiosk.common.fields import DayField, EurosField, IdField, TextField, share_field
from kiosk.common.input import whole_number
from kiosk.text import _
from kiosk.vocabulary import MAX_VOTES

AMOUNT = _l("Écrivez le montant en euros, par exemple 250.")
DATE = _l("La date s'écrit AAAA-MM-JJ.")


class MeetingForm(FlaskForm):
    held_on = DayField(message=DATE, validators=[InputRequired(DATE)])
    present = TextField()
    note = TextField()


class ThresholdForm(FlaskForm):
    threshold = EurosField(message=_l("Écrivez un montant en euros, par exemple 50, ou "
                                      "laissez vide."))


class ProposalForm(FlaskForm):
    title = TextField()
    envelope = TextField()
    amount = EurosField(message=AMOUNT)


class VotesForm(FlaskForm):
    """Hands counted: for, against, no opinion (all three empty: not counted)."""

    votes_for = TextField()
    votes_against = TextField()
    votes_abstain = TextField()

    def votes(self) -> tuple[int, int, int] | None:
        raw = [self.votes_for.data, self.votes_against.data, self.votes_abstain.data]
        if not any(raw):
            return None
        message = _("Tapez le nombre de mains levées : pour, contre, sans avis (0 s'il n'y "
                    "en a pas).")
        counted = [whole_number(text, "votes", maximum=MAX_VOTES, message=message)
                   for text in raw]
        return (counted[0], counted[1], counted[2])


def decision_form(codes: Iterable[str]) -> VotesForm:
    """A decision typed on the big screen: its kind and words, a spend (envelope and
    amount) or a split (a share per active envelope), the decision it replaces, the
    votes."""

    class DecisionForm(VotesForm):
        kind = TextField()
        text = TextField()
        envelope = TextField()
        amount = EurosField(message=AMOUNT)
        replaces = IdField()

    for code in codes:
        setattr(DecisionForm, f"weight_{code}", share_field(code))
    return DecisionForm()
