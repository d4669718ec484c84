"""Start the dashboard server: `python serve.py [streamlit options]` (what `make run` does).

Same as `streamlit run dashboard.py`, with one difference: Streamlit routes the very first
requests of a new server with the legacy `pages/` folder lookup until `st.navigation` has run
once, so a deep link such as /regions opened right after a restart would run the page file on
its own, without the shared filters. Telling Streamlit up front that this app routes with
`st.navigation` makes deep links work from the first request.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", "dashboard.py", *sys.argv[1:]]
    sys.exit(cli.main())
