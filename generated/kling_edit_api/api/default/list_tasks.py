from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

from ... import errors
from ...models.error_envelope import ErrorEnvelope
from ...models.task_list_envelope import TaskListEnvelope
from ...types import UNSET, Response, Unset

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def _get_kwargs(
    *,
    page_num: int | Unset = 1,
    page_size: int | Unset = 30,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["pageNum"] = page_num

    params["pageSize"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/kling/v1/videos/multi-elements",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TaskListEnvelope | None:
    if response.status_code == 200:
        response_200 = TaskListEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = ErrorEnvelope.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | TaskListEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    page_num: int | Unset = 1,
    page_size: int | Unset = 30,
) -> Response[ErrorEnvelope | TaskListEnvelope]:
    """List Kling multi-elements edit tasks

     Answer one page of the account's tasks. Page through with `pageNum` until a page holds fewer than
    `pageSize` tasks.

    Args:
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskListEnvelope]
    """

    kwargs = _get_kwargs(
        page_num=page_num,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    page_num: int | Unset = 1,
    page_size: int | Unset = 30,
) -> ErrorEnvelope | TaskListEnvelope | None:
    """List Kling multi-elements edit tasks

     Answer one page of the account's tasks. Page through with `pageNum` until a page holds fewer than
    `pageSize` tasks.

    Args:
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskListEnvelope
    """

    return sync_detailed(
        client=client,
        page_num=page_num,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page_num: int | Unset = 1,
    page_size: int | Unset = 30,
) -> Response[ErrorEnvelope | TaskListEnvelope]:
    """List Kling multi-elements edit tasks

     Answer one page of the account's tasks. Page through with `pageNum` until a page holds fewer than
    `pageSize` tasks.

    Args:
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskListEnvelope]
    """

    kwargs = _get_kwargs(
        page_num=page_num,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page_num: int | Unset = 1,
    page_size: int | Unset = 30,
) -> ErrorEnvelope | TaskListEnvelope | None:
    """List Kling multi-elements edit tasks

     Answer one page of the account's tasks. Page through with `pageNum` until a page holds fewer than
    `pageSize` tasks.

    Args:
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskListEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            page_num=page_num,
            page_size=page_size,
        )
    ).parsed
