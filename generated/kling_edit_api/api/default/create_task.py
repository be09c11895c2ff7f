from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

from ... import errors
from ...models.create_task_envelope import CreateTaskEnvelope
from ...models.create_task_request import CreateTaskRequest
from ...models.error_envelope import ErrorEnvelope
from ...types import Response

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client


def _get_kwargs(
    *,
    body: CreateTaskRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/kling/v1/videos/multi-elements",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateTaskEnvelope | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = CreateTaskEnvelope.from_dict(response.json())

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
) -> Response[CreateTaskEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> Response[CreateTaskEnvelope | ErrorEnvelope]:
    """Create a Kling multimodal edit task

     Send the `session_id`, `edit_mode`, and final edit prompt after the selection area has already been
    prepared.

    Args:
        body (CreateTaskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateTaskEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> CreateTaskEnvelope | ErrorEnvelope | None:
    """Create a Kling multimodal edit task

     Send the `session_id`, `edit_mode`, and final edit prompt after the selection area has already been
    prepared.

    Args:
        body (CreateTaskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateTaskEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> Response[CreateTaskEnvelope | ErrorEnvelope]:
    """Create a Kling multimodal edit task

     Send the `session_id`, `edit_mode`, and final edit prompt after the selection area has already been
    prepared.

    Args:
        body (CreateTaskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateTaskEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> CreateTaskEnvelope | ErrorEnvelope | None:
    """Create a Kling multimodal edit task

     Send the `session_id`, `edit_mode`, and final edit prompt after the selection area has already been
    prepared.

    Args:
        body (CreateTaskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateTaskEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
