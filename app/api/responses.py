"""A route's model as JSON bytes, made in the route's own thread."""

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session


def json_response(model: BaseModel, session: Session) -> Response:
    """`model` as the bytes FastAPI would make of it (pydantic-core, by alias), made here.

    A sync route that returns a model costs two more thread-pool hops: FastAPI re-validates
    the model in the pool, and the session dependency closes its transaction there. Closing
    the session and serialising in the route's thread leaves the event loop nothing to hand
    off (profiled with py-spy under wrk). The route declares `response_model` for the docs.
    """
    # Done with the database: release the connection before the bytes are made.
    session.close()
    body = model.__pydantic_serializer__.to_json(model, by_alias=True)
    return Response(body, media_type="application/json")
