"""Every table, imported once so that SQLModel's metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

from backend.audit import models as audit_models
from backend.auth import models as auth_models
from backend.catalog import models as catalog_models
from backend.directory import models as directory_models
from backend.files import models as file_models
from backend.jobs import models as job_models
from backend.notify import models as notify_models
from backend.open311 import models as open311_models
from backend.orders import models as order_models
from backend.places import models as place_models
from backend.privacy import models as privacy_models
from backend.quality import models as quality_models
from backend.quality import score_models
from backend.sso import models as sso_models
from backend.ventures import models as venture_models
from backend.volunteers import models as volunteer_models

metadata = SQLModel.metadata

__all__ = [
    "audit_models",
    "auth_models",
    "catalog_models",
    "directory_models",
    "file_models",
    "job_models",
    "metadata",
    "notify_models",
    "open311_models",
    "order_models",
    "place_models",
    "privacy_models",
    "quality_models",
    "score_models",
    "sso_models",
    "venture_models",
    "volunteer_models",
]
