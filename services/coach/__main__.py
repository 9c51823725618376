from services.coach.main import main

main()
