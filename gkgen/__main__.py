from gkgen.cli import main

raise SystemExit(main())
