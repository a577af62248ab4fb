from datetime import timedelta

from core.sweeps import sweep


@sweep("needs_escalation", every=timedelta(minutes=15))
def needs_escalation() -> int:
    """Widen the scope of overdue published needs, then expire those still untaken."""
    from needs.services import needs_escalate

    result = needs_escalate()
    return result["escalated"] + result["expired"]
