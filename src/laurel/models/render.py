from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, UTCDateTime


class RenderedFile(Base):
    """A rendered certificate or badge, keyed by the hash of everything that drew it.

    A change to the design, the template or the credential changes the key, so an outdated render
    is never served; unused ones are pruned by the worker.
    """

    __tablename__ = "rendered_files"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
