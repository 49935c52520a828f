"""Events of claims that higher apps (the partner API's webhooks) listen to; claims imports none of them.

Sent by claims/services.py inside the service's transaction: a receiver
that talks to the outside world waits for the commit (transaction.on_commit).
"""

from django.dispatch import Signal

# claim=Claim
claim_created = Signal()
# claims=list[Claim]: one CSV import, all of one company
claims_created_many = Signal()
# claim=Claim, change=StatusChange
claim_status_changed = Signal()
# message=Message (public, from the service)
claim_message_from_service = Signal()
