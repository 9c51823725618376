"""Concept drift (issue 16): the request id on the prediction log (feedback names a logged
prediction by it), the true labels sent back, and one concept-drift alert per version."""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from services.common.db import add_missing_columns, create_table, table_of
from services.serving.models import Base, ConceptAlert, Feedback, Prediction

REQUEST_INDEX = "ix_serving_predictions_request"


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, {"serving_predictions": ["request_id"]})
    present = {i["name"] for i in inspect(conn).get_indexes("serving_predictions")}
    if REQUEST_INDEX not in present:
        next(i for i in table_of(Prediction).indexes if i.name == REQUEST_INDEX).create(conn)
    create_table(conn, Feedback)
    create_table(conn, ConceptAlert)
