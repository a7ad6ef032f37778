"""``python -m tui`` runs the same command as ``logprob-chat``."""

from tui.cli import main

raise SystemExit(main())
