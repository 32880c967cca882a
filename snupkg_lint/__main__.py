from snupkg_lint.cli import main

main()
