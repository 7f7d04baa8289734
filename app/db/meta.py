from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class DatasetMeta(Base):
    """One row: the version of the data, bumped by every ingest that changes something."""

    __tablename__ = "dataset_meta"

    id: Mapped[int] = mapped_column(primary_key=True)
    data_version: Mapped[int] = mapped_column(default=0)
    # Fingerprint of the curated data the stored extraction was made with.
    curated_key: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
