from qlvb.cli import main

main()
