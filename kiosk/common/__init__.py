"""What the pages and the JSON API share: who is logged in, how errors are shown, and the
helpers every page uses. It imports no area (pages, API, auth): they all import it."""
