from services.execution.main import main

main()
