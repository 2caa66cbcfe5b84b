"""The import's columns step as a user goes through it in the tests."""

from django.urls import reverse


def choose_values(client, mission, response, values: dict, *, kind: str):
    """Post the columns step as shown, with `values` ({the file's value: ours}) in place
    of what the page proposes for them."""
    form = response.context["columns_form"]
    data = {"token": form["token"].value()}
    for column, field in form.rows():
        data[form.field_name(column)] = field.value()
    for _column, _field, rows in form.value_rows():
        for value, choice in rows:
            data[choice.html_name] = values.get(value, choice.value())
    return client.post(reverse(f"observation:{kind}_import_columns", args=[mission.pk]), data)
