from services.leaderboard.main import main

main()
