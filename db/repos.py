"""The repositories of one unit of work, over the connection it runs on."""

from __future__ import annotations

from db.audit import AuditRepo
from db.base import Conn
from db.campaigns import CampaignRepo
from db.conversations import ConversationRepo
from db.deliveries import DeliveryRepo
from db.documents import DocumentRepo
from db.failures import FailureRepo
from db.outbox import OutboxRepo
from db.plans import PlanRepo
from db.progress import ProgressRepo
from db.proposals import ProposalRepo
from db.uploads import UploadRepo
from db.usage import UsageRepo
from db.users import UserRepo


class Repos:
    def __init__(self, conn: Conn) -> None:
        self.campaigns = CampaignRepo(conn)
        self.plans = PlanRepo(conn)
        self.progress = ProgressRepo(conn)
        self.proposals = ProposalRepo(conn)
        self.users = UserRepo(conn)
        self.conversations = ConversationRepo(conn)
        self.audit = AuditRepo(conn)
        self.deliveries = DeliveryRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.documents = DocumentRepo(conn)
        self.failures = FailureRepo(conn)
        self.usage = UsageRepo(conn)
        self.uploads = UploadRepo(conn)
