"""Browser tests fail on any Content-Security-Policy violation.

Every page of every browser context reports ``securitypolicyviolation``
events and CSP console messages into ``csp_violations``; a test that saw any
fails when its context closes.
"""

import pytest

_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__rmaReportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} in ${event.sourceFile || document.location.href}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def csp_violations():
    return []


@pytest.fixture
def context(context, csp_violations):
    context.expose_function("__rmaReportCspViolation", lambda text: csp_violations.append(text))
    context.add_init_script(_LISTENER)

    def on_console(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(f"console: {message.text}")

    context.on("console", on_console)
    yield context
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
