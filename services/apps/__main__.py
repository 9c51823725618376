from services.apps.main import main

main()
