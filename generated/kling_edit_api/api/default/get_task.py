from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from ... import errors
from ...models.error_envelope import ErrorEnvelope
from ...models.task_envelope import TaskEnvelope
from ...types import Response

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def _get_kwargs(
    task_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/kling/v1/videos/multi-elements/{task_id}".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TaskEnvelope | None:
    if response.status_code == 200:
        response_200 = TaskEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | TaskEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorEnvelope | TaskEnvelope]:
    """Query a Kling multi-elements edit task

     Answer the task with its status (`submitted`, `processing`, `succeed` or `failed`) and, once it
    succeeded, the result videos. Result files are deleted after 30 days. The official Kling reference
    lets this path take either the `task_id` or the caller's `external_task_id`; whether CometAPI
    forwards the latter is not documented.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskEnvelope]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorEnvelope | TaskEnvelope | None:
    """Query a Kling multi-elements edit task

     Answer the task with its status (`submitted`, `processing`, `succeed` or `failed`) and, once it
    succeeded, the result videos. Result files are deleted after 30 days. The official Kling reference
    lets this path take either the `task_id` or the caller's `external_task_id`; whether CometAPI
    forwards the latter is not documented.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskEnvelope
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorEnvelope | TaskEnvelope]:
    """Query a Kling multi-elements edit task

     Answer the task with its status (`submitted`, `processing`, `succeed` or `failed`) and, once it
    succeeded, the result videos. Result files are deleted after 30 days. The official Kling reference
    lets this path take either the `task_id` or the caller's `external_task_id`; whether CometAPI
    forwards the latter is not documented.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskEnvelope]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorEnvelope | TaskEnvelope | None:
    """Query a Kling multi-elements edit task

     Answer the task with its status (`submitted`, `processing`, `succeed` or `failed`) and, once it
    succeeded, the result videos. Result files are deleted after 30 days. The official Kling reference
    lets this path take either the `task_id` or the caller's `external_task_id`; whether CometAPI
    forwards the latter is not documented.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskEnvelope
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
        )
    ).parsed
