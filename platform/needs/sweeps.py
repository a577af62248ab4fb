from datetime import timedelta

from core.sweeps import sweep
from needs.services import needs_escalate


@sweep("needs_escalation", every=timedelta(minutes=15))
def needs_escalation() -> int:
    """Close proposals at their deadline; widen the scope of overdue needs nobody
    responded to, then expire those still untaken."""
    return sum(needs_escalate().values())
