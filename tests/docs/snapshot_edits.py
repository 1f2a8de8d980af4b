"""Edits of a docs snapshot's text, as the Amazon Music page might change: shared by the docs tests."""

from __future__ import annotations

NEW_ENDPOINT = """Get User's Followed Playlists
GET
/users/{id}/followed/playlists
Authorization Scope: [music::catalog]
Get a list of a public Amazon Music user's followed playlists.
Path Parameters
Name |
Data Type |
Required |
Description |
id
|
string
|
Yes |
The ID of the Amazon Music user whose followed playlists should be retrieved. |
Example
curl --request GET '<base url>/v1/users/zqll6htnhybrewrqsrtrhdvaa/followed/playlists' \\
--header 'x-api-key: <your security profile ID>' \\
--header 'Authorization: Bearer <your auth token>'
Responses
Amazon Music response object containing:
Name |
Data Type |
Required |
Description |
user
|
User
|
No |
Data about the specified Amazon Music user and their followed playlists |
Example
{
"data": {
"user": {
"id": "zqll6htnhybrewrqsrtrhdvaa",
"followedPlaylists": {"pageInfo": {"hasNextPage": false}, "edgeCount": 0, "edges": []}
}
}
}
"""


def alter(text: str, title: str, old: str, new: str) -> str:
    """The snapshot with the first `old` after the operation titled `title` replaced by `new`."""
    start = text.index(f"\n{title}\n")
    position = text.index(old, start)
    return text[:position] + new + text[position + len(old) :]


def without_operation(text: str, title: str, next_title: str) -> str:
    """The snapshot without the operation titled `title` (up to the one titled `next_title`)."""
    return text[: text.index(f"\n{title}\n")] + text[text.index(f"\n{next_title}\n") :]
