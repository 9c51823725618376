from services.authoring.main import main

main()
