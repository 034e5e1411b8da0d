"""The example resource: /api/items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import select

from app.api.deps import SessionDep
from app.models import Item
from app.schemas import ItemCreate, ItemRead

router = APIRouter(prefix="/api/items", tags=["items"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No item with this id"}}


def _get_or_404(session: SessionDep, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return item


@router.get("", response_model=list[ItemRead])
def list_items(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Item]:
    return list(session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset)))


@router.post("", response_model=ItemRead, status_code=status.HTTP_201_CREATED)
def create_item(payload: ItemCreate, session: SessionDep, response: Response) -> Item:
    item = Item(name=payload.name, description=payload.description)
    session.add(item)
    session.commit()
    session.refresh(item)
    response.headers["Location"] = f"{router.prefix}/{item.id}"
    return item


@router.get("/{item_id}", response_model=ItemRead, responses=NOT_FOUND)
def get_item(item_id: int, session: SessionDep) -> Item:
    return _get_or_404(session, item_id)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_item(item_id: int, session: SessionDep) -> None:
    session.delete(_get_or_404(session, item_id))
    session.commit()
