from services.progress.main import main

main()
