"""The frozen program's entry point (PyInstaller starts here)."""
import sys

from ui.main import main

if __name__ == "__main__":
    sys.exit(main())
