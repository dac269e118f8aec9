"""The base of the response models the API's newer routes return.

``CamelModel.to_json`` writes camelCase; a route that returns the model itself is serialised by
Powertools, which calls ``model_dump`` without ``by_alias`` (and nested models follow the call, not their
own config): here ``by_alias`` defaults to true, so the JSON is camelCase all the way down whichever way a
model leaves the API.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from flashfusion.modelbase import CamelModel


class ApiModel(CamelModel):
    model_config = ConfigDict(serialize_by_alias=True)

    def model_dump(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if kwargs.get("by_alias") is None:
            kwargs["by_alias"] = True
        dumped: dict[str, Any] = super().model_dump(*args, **kwargs)
        return dumped
