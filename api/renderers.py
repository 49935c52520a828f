"""The API's JSON renderer: DRF's, which also takes a page's results already written as JSON text."""

from __future__ import annotations

import json

from rest_framework.renderers import JSONRenderer


class JSONFragments(list):
    """JSON texts already written (by PostgreSQL: api.serializers.summary_sql), to be joined as they are."""


class ApiJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        fragments = data.get("results") if isinstance(data, dict) else None
        if not isinstance(fragments, JSONFragments):
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type, renderer_context or {}):
            # Indented on request: the fragments are compact, so they are read and written again.
            return super().render(
                {**data, "results": [json.loads(fragment) for fragment in fragments]},
                accepted_media_type,
                renderer_context,
            )
        rest = super().render({key: value for key, value in data.items() if key != "results"})
        # As JSONRenderer writes text: U+2028 and U+2029 escaped, for JavaScript.
        joined = ",".join(fragments).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return rest[:-1] + (b"," if len(rest) > 2 else b"") + b'"results":[' + joined.encode() + b"]}"
