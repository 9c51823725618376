from services.serving.main import main

main()
