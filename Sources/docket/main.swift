import DocketCLI

DocketEntry.main()
