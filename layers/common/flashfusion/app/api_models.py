"""The base of the response models the API's newer routes return.

``CamelModel.to_json`` writes camelCase; a route that returns the model itself is serialised by
Powertools, which calls ``model_dump`` without ``by_alias``: ``serialize_by_alias`` makes that camelCase
too, so the JSON is the same whichever way a model leaves the API.
"""

from __future__ import annotations

from pydantic import ConfigDict

from flashfusion.modelbase import CamelModel


class ApiModel(CamelModel):
    model_config = ConfigDict(serialize_by_alias=True)
