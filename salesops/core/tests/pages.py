"""Reading a page as a person of a given language would."""


def read_page(client, user, url, language) -> str:
    """The HTML of `url` for `user` with `language` as their language; the page must open."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()
