import DocketCLI

DocketCommand.main()
